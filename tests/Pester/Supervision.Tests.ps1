# `sd listen` as an operator relies on it under faults: a locked handoff channel (modes, SO_PEERCRED,
# --allow-uid), close-on-exec descriptors, drains cut short by STOP or a second SIGTERM, and a crash
# loop that ends with exit code 1. The load, capacity and watchdog scenarios run in xunit
# (tests/Unit/Listening), with the listener in process.

BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force

    # A plain TCP conversation client: Reader, Writer and Close.
    function Connect-TcpConversation([int] $Port) {
        $tcp = [System.Net.Sockets.TcpClient]::new()
        if (-not $tcp.ConnectAsync('127.0.0.1', $Port).Wait(10000)) { throw "no TCP connection to port $Port within 10 s" }
        $writer = [System.IO.StreamWriter]::new($tcp.GetStream())
        $writer.NewLine = "`n"
        $writer.AutoFlush = $true
        [pscustomobject]@{ Tcp = $tcp; Reader = [System.IO.StreamReader]::new($tcp.GetStream()); Writer = $writer } |
            Add-Member -MemberType ScriptMethod -Name Close -Value { $this.Tcp.Dispose() } -PassThru
    }

    # Runs socat as nobody (setpriv), saying HELLO on a SEQPACKET handoff socket; -v logs both directions on standard error.
    function Invoke-NobodyHandoffPeer([string] $Address, [string] $Name) {
        $peer = Start-SdProcess -FilePath setpriv -Name $Name -OutputDirectory $TestDrive -ArgumentList @(
            '--reuid=nobody', '--regid=nogroup', '--clear-groups',
            'socat', '-v', '-t', '3', 'SYSTEM:echo HELLO capacity=1; sleep 1', "$Address,socktype=5")
        if (-not $peer.Process.WaitForExit(15000)) { Stop-SdProcess $peer; throw 'socat as nobody did not finish within 15 s' }
        $peer | Add-Member -NotePropertyName ExitCode -NotePropertyValue $peer.Process.ExitCode -PassThru
    }

    function Get-SocketInodes([int] $ProcessId) {
        Get-ChildItem "/proc/$ProcessId/fd" -ErrorAction Ignore | ForEach-Object { if ($_.Target -match '^socket:\[(\d+)\]$') { $Matches[1] } }
    }
}

Describe 'sd listen' {
    Context 'the handoff channel' {
        BeforeAll {
            $script:xdg = Join-Path $TestDrive 'xdg'
            $script:locked = Start-SdProcess -Name locked -OutputDirectory $TestDrive -Environment @{ XDG_RUNTIME_DIR = $xdg } -ArgumentList @(
                'listen', '--endpoint', 'tcp://127.0.0.1:0', '--dispatchers', '1', '--name', 'locked')
            $script:lockedDir = Join-Path $xdg 'sd/locked'
            Wait-SdCondition -TimeoutSeconds 30 -Because 'the listener made its sockets' -State { Get-SdProcessOutput $locked -Stream All } -Condition {
                (Test-Path "$lockedDir/handoff.sock") -and (Test-Path "$lockedDir/control.sock")
            } | Out-Null

            $script:abstractName = "sd-test-$([guid]::NewGuid().ToString('N'))"
            $script:open = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Dispatchers 1 -Name abstract -ExtraArguments @('--handoff', "unix:@$abstractName")
            $script:allowedName = "sd-test-$([guid]::NewGuid().ToString('N'))"
            $script:allowing = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Dispatchers 1 -Name allowing -ExtraArguments @('--handoff', "unix:@$allowedName", '--allow-uid', '65534')
        }

        AfterAll {
            Stop-SdProcess $locked
            Stop-SdProcess $open
            Stop-SdProcess $allowing
        }

        It 'lives in $XDG_RUNTIME_DIR/sd/NAME, a directory of mode 0700, with sockets of mode 0600' {
            & stat -c '%a' $lockedDir | Should -Be '700'
            & stat -c '%a' "$lockedDir/handoff.sock" | Should -Be '600'
            & stat -c '%a' "$lockedDir/control.sock" | Should -Be '600'
        }

        It 'keeps a process running as nobody out of the runtime directory' {
            $peer = Invoke-NobodyHandoffPeer -Address "UNIX-CONNECT:$lockedDir/handoff.sock" -Name nobody-path
            $peer.ExitCode | Should -Not -Be 0
            Get-SdProcessOutput $peer -Stream Error | Should -Match 'Permission denied'
        }

        It 'refuses nobody on a socket anyone can reach, logs its pid and uid, and sends it nothing' {
            $peer = Invoke-NobodyHandoffPeer -Address "ABSTRACT-CONNECT:$abstractName" -Name nobody-abstract
            $dump = Get-SdProcessOutput $peer -Stream Error
            $dump | Should -Match 'HELLO capacity=1' -Because 'socat connected and spoke'
            $dump | Should -Not -Match '(?m)^< ' -Because 'the listener must send nothing (no CONFIG, no CONNECTION, so no fd) to a refused peer'
            Wait-SdCondition -Because 'the listener logs the refusal' -State { Get-SdProcessOutput $open -Stream Error } -Condition {
                (Get-SdProcessOutput $open -Stream Error) -match "refused a handoff peer: pid $($peer.Id), uid 65534"
            } | Out-Null
            (Get-SdTestStatus -Control $open.Control).Dispatchers.pid | Should -Not -Contain $peer.Id
        }

        It 'lets nobody in with --allow-uid 65534' {
            $peer = Invoke-NobodyHandoffPeer -Address "ABSTRACT-CONNECT:$allowedName" -Name nobody-allowed
            Get-SdProcessOutput $peer -Stream Error | Should -Match 'CONFIG max_line=65536'
        }
    }

    Context 'descriptors' {
        BeforeAll {
            $script:listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name cloexec
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'opens every socket of the listener close-on-exec' {
            $sockets = @(Get-ChildItem "/proc/$($listener.Id)/fd" | Where-Object Target -Match '^socket:')
            $sockets.Count | Should -BeGreaterThan 3
            foreach ($fd in $sockets) {
                # fdinfo flags are octal; O_CLOEXEC is 02000000 (fcntl.h).
                $flags = [Convert]::ToInt64(((Get-Content "/proc/$($listener.Id)/fdinfo/$($fd.Name)") -match '^flags:' -replace '^flags:\s*', ''), 8)
                ($flags -band 0x80000) | Should -Not -Be 0 -Because "fd $($fd.Name) ($($fd.Target)) must be close-on-exec"
            }
        }

        It 'leaves the dispatchers none of the listener''s sockets' {
            $c = Connect-TcpConversation -Port $listener.Port
            try { $c.Reader.ReadLineAsync().Wait(10000) | Should -BeTrue } finally { $c.Close() }
            $status = Wait-SdCondition -Because 'no connection is open' -Condition {
                $s = Get-SdTestStatus -Control $listener.Control
                if (-not @($s.Dispatchers | Where-Object { $_.open -ne 0 -or $_.pending -ne 0 })) { $s }
            }
            $ours = @(Get-SocketInodes $listener.Id)
            foreach ($d in $status.Dispatchers) {
                @(Get-SocketInodes $d.pid | Where-Object { $_ -in $ours }) | Should -BeNullOrEmpty -Because "dispatcher $($d.pid) holds no socket of the listener"
            }
        }
    }

    Context 'stopping without the drain' {
        It 'cuts the drain short on a second SIGTERM' {
            $listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Dispatchers 1 -Name twice -DrainTimeout 60s
            $c = Connect-TcpConversation -Port $listener.Port
            try {
                $c.Reader.ReadLine() | Should -Be 'HI'
                & kill -TERM $listener.Id
                Wait-SdCondition -Because 'the listener drains' -Condition { (Get-SdProcessOutput $listener -Stream Error) -match 'draining up to 60000 ms' } | Out-Null
                $c.Writer.WriteLine('DAD')
                $c.Reader.ReadLine() | Should -Be 'CLIMB' -Because 'a drain lets open conversations go on'
                & kill -TERM $listener.Id
                $listener.Process.WaitForExit(15000) | Should -BeTrue -Because 'the second SIGTERM skips the 60 s drain'
                $listener.Process.ExitCode | Should -Be 0
                $c.Reader.ReadLine() | Should -BeNullOrEmpty
                Get-SdProcessOutput $listener -Stream Error | Should -Match 'skipping the drain \(second signal SIGTERM\)'
            }
            finally { $c.Close(); Stop-SdProcess $listener }
        }

        It 'cuts the drain short on STOP after QUIT' {
            $listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Dispatchers 1 -Name quitstop -DrainTimeout 60s
            $c = Connect-TcpConversation -Port $listener.Port
            try {
                $c.Reader.ReadLine() | Should -Be 'HI'
                & $env:SD_BIN signal $listener.Control QUIT
                Wait-SdCondition -Because 'the listener drains' -Condition { (Get-SdProcessOutput $listener -Stream Error) -match 'draining up to 60000 ms' } | Out-Null
                & $env:SD_BIN signal $listener.Control STOP
                $LASTEXITCODE | Should -Be 0
                $listener.Process.WaitForExit(15000) | Should -BeTrue
                $listener.Process.ExitCode | Should -Be 0
                $c.Reader.ReadLine() | Should -BeNullOrEmpty
            }
            finally { $c.Close(); Stop-SdProcess $listener }
        }
    }

    Context 'a dispatcher that crashes at start' {
        It 'makes the listener give up with exit code 1 and a message that says so, within the restart window' {
            # A valid handler file run by a "PowerShell" that exits at once: every dispatcher dies at start.
            $handler = Join-Path $TestDrive 'crash.ps1'
            Set-Content -Path $handler -Value '@{ DAD = { param($m) $m.Reply(''CLIMB'') } }'
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $listener = Start-SdProcess -Name crashloop -OutputDirectory $TestDrive -ArgumentList @(
                'listen', '--endpoint', 'tcp://127.0.0.1:0', '--handler', $handler, '--pwsh', '/bin/false', '--runtime-dir', (Join-Path $TestDrive 'crashloop.run'))
            try {
                $listener.Process.WaitForExit(60000) | Should -BeTrue
                $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
                $listener.Process.ExitCode | Should -Be 1
                Get-SdProcessOutput $listener -Stream Error | Should -Match 'gave up: dispatchers exited 11 times within 60 s'
                Test-Path (Join-Path $TestDrive 'crashloop.run') | Should -BeFalse
            }
            finally { Stop-SdProcess $listener }
        }
    }
}
