# `sd listen --control`: unix:, tcp:// and udp:// control endpoints of a real listener, the shared
# secret of tcp:// and udp://, and the SO_PEERCRED check of unix: against a real process of another
# uid (setpriv, as nobody).

BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force

    # A plain tcp:// listener whose runtime directory holds the unix: control socket the helpers poll,
    # plus -Control endpoints; returns it with the bound control endpoints by kind.
    function Start-ControlListener([string] $Name, [string[]] $Control = @(), [string[]] $ExtraArguments = @(), [int] $Dispatchers = 2) {
        $runtime = Join-Path $TestDrive "$Name.run"
        $arguments = @('--control', "unix:$runtime/control.sock") + @($Control | ForEach-Object { '--control', $_ }) + $ExtraArguments
        $listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name $Name -Dispatchers $Dispatchers -ExtraArguments $arguments
        $started = [regex]::Match((Get-SdProcessOutput $listener -Stream Error), '; control ([^\r\n]+)').Groups[1].Value
        $bound = $started -split ' '
        $listener | Add-Member -NotePropertyMembers @{
            Udp = $bound | Where-Object { $_ -like 'udp://*' } | Select-Object -First 1
            Tcp = $bound | Where-Object { $_ -like 'tcp://*' } | Select-Object -First 1
        } -PassThru
    }

    # Runs `sd` and returns its exit code and both output streams.
    function Invoke-Sd([string[]] $Arguments) {
        $errFile = Join-Path $TestDrive 'sd.err.txt'
        $out = & $env:SD_BIN @Arguments 2>$errFile
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out -join "`n"); Error = (Get-Content -Raw $errFile) }
    }

    # Runs `sd` as nobody:nogroup with no supplementary group (setpriv(1)); the same shape as Invoke-Sd.
    function Invoke-SdAsNobody([string[]] $Arguments) {
        $errFile = Join-Path $TestDrive 'nobody.err.txt'
        $out = & setpriv --reuid=nobody --regid=nogroup --clear-groups $env:SD_BIN @Arguments 2>$errFile
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out -join "`n"); Error = (Get-Content -Raw $errFile) }
    }
}

Describe 'sd listen --control' {
    Context 'a udp:// control endpoint with --secret-code' {
        BeforeAll {
            $script:listener = Start-ControlListener -Name udpcontrol -Control 'udp://127.0.0.1:0' -ExtraArguments '--secret-code', 'u-secret'
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'binds a port and says which' {
            $listener.Udp | Should -Match '^udp://127\.0\.0\.1:[1-9]\d*$'
        }

        It 'ignores QUIT without the secret: logged, no answer, the listener keeps running' {
            $r = Invoke-Sd 'signal', $listener.Udp, 'QUIT'
            $r.ExitCode | Should -Be 0 -Because 'a datagram is sent whether anyone takes it or not'
            Wait-SdCondition -Because 'the listener logs the ignored QUIT' -State { Get-SdProcessOutput $listener -Stream All } -Condition {
                (Get-SdProcessOutput $listener -Stream Error) -match "control endpoint $([regex]::Escape($listener.Udp)): ignored QUIT from 127\.0\.0\.1:\d+: missing or wrong secret_code"
            }
            $wrong = Invoke-Sd 'signal', $listener.Udp, 'STATUS', '--reply', '--timeout', '1s', '--secret-code', 'not-it'
            $wrong.ExitCode | Should -Be 1
            $wrong.Error | Should -Match 'no answer within 1000 ms'
            $listener.Process.HasExited | Should -BeFalse
            (Get-SdTestStatus -Control $listener.Control).Dispatchers.Count | Should -Be 2
        }

        It 'answers STATUS with the secret: counters and dispatcher pids' {
            $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $listener.Port)
            try {
                $reader = [System.IO.StreamReader]::new($c.GetStream())
                $reader.ReadLineAsync().Wait(10000) | Should -BeTrue
            }
            finally { $c.Dispose() }
            $r = Invoke-Sd 'signal', $listener.Udp, 'STATUS', '--reply', '--secret-code', 'u-secret'
            $r.ExitCode | Should -Be 0
            $r.Output | Should -Match '^STATUS '
            $r.Output | Should -Match '(^|;| )accepted=1(;|$)'
            $r.Output | Should -Match '(^|;| )handed=1(;|$)'
            $pids = (Get-SdChildProcessId -ParentId $listener.Id) | Sort-Object
            $pids.Count | Should -Be 2
            foreach ($id in $pids) { $r.Output | Should -Match """pid"":$id\b" }
        }

        It 'stops the service on QUIT with the secret' {
            $r = Invoke-Sd 'signal', $listener.Udp, 'QUIT', '--secret-code', 'u-secret'
            $r.ExitCode | Should -Be 0
            $listener.Process.WaitForExit(20000) | Should -BeTrue
            $listener.Process.ExitCode | Should -Be 0
            Test-Path $listener.RuntimeDirectory | Should -BeFalse
        }
    }

    Context 'a tcp:// control endpoint with --secret-code' {
        BeforeAll {
            $script:listener = Start-ControlListener -Name tcpcontrol -Dispatchers 0 -Control 'tcp://127.0.0.1:0' -ExtraArguments '--secret-code', 't-secret'
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'gives no answer to a message without the secret, and logs it' {
            $r = Invoke-Sd 'signal', $listener.Tcp, 'HELP', '--reply', '--timeout', '1s'
            $r.ExitCode | Should -Be 1
            $r.Output | Should -BeNullOrEmpty
            (Get-SdProcessOutput $listener -Stream Error) | Should -Match 'ignored HELP from 127\.0\.0\.1:\d+: missing or wrong secret_code'
        }

        It 'answers HELP, ALIVE and STATUS with the secret' {
            (Invoke-Sd 'signal', $listener.Tcp, 'HELP', '--reply', '--secret-code', 't-secret').Output |
                Should -Be 'COMMANDS list=ALIVE,HELP,LOG,LOG_ROTATE,QUIT,STATUS,STOP'
            (Invoke-Sd 'signal', $listener.Tcp, 'ALIVE', '--param', 'serial=7', '--reply', '--secret-code', 't-secret').Output |
                Should -Match '^ABSOLUTELY reply_timestamp=\d+\.\d{9};serial=7$'
            $status = Invoke-Sd 'status', '--control', $listener.Tcp, '--secret-code', 't-secret'
            $status.ExitCode | Should -Be 0
            $status.Output | Should -Match '\(pid \d+, running\)'
        }

        It 'stops at once on STOP with the secret' {
            (Invoke-Sd 'signal', $listener.Tcp, 'STOP', '--secret-code', 't-secret').ExitCode | Should -Be 0
            $listener.Process.WaitForExit(20000) | Should -BeTrue
            $listener.Process.ExitCode | Should -Be 0
            (Get-SdProcessOutput $listener -Stream Error) | Should -Match 'stopping \(STOP on control endpoint from 127\.0\.0\.1:\d+\)'
        }
    }

    Context 'a unix: control socket and a peer of another uid' {
        BeforeAll {
            # An abstract socket (unix(7)) has no file mode: anyone can connect, so only the
            # SO_PEERCRED check stands between nobody and the listener.
            $script:abstract = "unix:@sd-control-test-$([guid]::NewGuid().ToString('N'))"
            $script:listener = Start-ControlListener -Name uidcheck -Dispatchers 0 -Control $abstract
            $script:nobodyUid = [int] (& id -u nobody)
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'answers our own uid on the abstract socket (so the refusal below is about the uid)' {
            $r = Invoke-Sd 'signal', $abstract, 'STATUS', '--reply'
            $r.ExitCode | Should -Be 0
            $r.Output | Should -Match '^STATUS '
        }

        It 'refuses nobody by SO_PEERCRED: no answer, and logs its pid and uid' {
            $r = Invoke-SdAsNobody 'signal', $abstract, 'STATUS', '--reply', '--timeout', '3s'
            $r.ExitCode | Should -Not -Be 0
            $r.Output | Should -BeNullOrEmpty
            $r.Error | Should -Match 'closed without an answer|no message within|connection is closed'
            Wait-SdCondition -Because 'the listener logs the refused peer' -State { Get-SdProcessOutput $listener -Stream Error } -Condition {
                (Get-SdProcessOutput $listener -Stream Error) -match "control peer refused: pid \d+, uid $nobodyUid\b"
            }
            $listener.Process.HasExited | Should -BeFalse
        }

        It 'keeps nobody from even connecting to the socket file (mode 0600 in a 0700 folder)' {
            (Get-Item $listener.RuntimeDirectory).UnixFileMode | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite, UserExecute')
            (Get-Item "$($listener.RuntimeDirectory)/control.sock").UnixFileMode | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
            $r = Invoke-SdAsNobody 'signal', $listener.Control, 'STATUS', '--reply', '--timeout', '3s'
            $r.ExitCode | Should -Not -Be 0
            $r.Output | Should -BeNullOrEmpty
            $r.Error | Should -Match 'permission denied|[Aa]ccess'
        }
    }

    Context 'bad control options' {
        It 'refuses a udp:// control endpoint without --secret-code: one line, exit code 2' {
            $r = Invoke-Sd 'listen', '--endpoint', 'tcp://127.0.0.1:0', '--dispatchers', '0', '--runtime-dir', (Join-Path $TestDrive 'nosecret.run'), '--control', 'udp://127.0.0.1:0'
            $r.ExitCode | Should -Be 2
            @($r.Error.Trim() -split "`n").Count | Should -Be 1
            $r.Error | Should -Match 'control endpoint udp://127\.0\.0\.1:0 needs a shared secret \(--secret-code\)'
        }

        It 'refuses a tcp:// control endpoint without --secret-code the same way' {
            $r = Invoke-Sd 'listen', '--endpoint', 'tcp://127.0.0.1:0', '--dispatchers', '0', '--runtime-dir', (Join-Path $TestDrive 'nosecret2.run'), '--control', 'tcp://127.0.0.1:0'
            $r.ExitCode | Should -Be 2
            $r.Error | Should -Match 'needs a shared secret'
        }

        It 'refuses a control endpoint off loopback without --control-allow-remote' {
            $r = Invoke-Sd 'listen', '--endpoint', 'tcp://127.0.0.1:0', '--dispatchers', '0', '--runtime-dir', (Join-Path $TestDrive 'remote.run'), '--control', 'tcp://0.0.0.0:0', '--secret-code', 's'
            $r.ExitCode | Should -Be 2
            @($r.Error.Trim() -split "`n").Count | Should -Be 1
            $r.Error | Should -Match 'must be bound to a loopback address.*--control-allow-remote'
        }

        It 'refuses unixgram: as a control endpoint' {
            $r = Invoke-Sd 'listen', '--endpoint', 'tcp://127.0.0.1:0', '--dispatchers', '0', '--runtime-dir', (Join-Path $TestDrive 'gram.run'), '--control', 'unixgram:@sd-nope'
            $r.ExitCode | Should -Be 2
            $r.Error | Should -Match 'use unix:PATH, tcp://127\.0\.0\.1:PORT or udp://127\.0\.0\.1:PORT'
        }
    }

    Context 'a control endpoint on every address, allowed with --control-allow-remote' {
        BeforeAll {
            $script:listener = Start-ControlListener -Name allowremote -Dispatchers 0 -Control 'udp://0.0.0.0:0' -ExtraArguments '--secret-code', 'r-secret', '--control-allow-remote'
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'starts and answers with the secret' {
            $port = $listener.Udp -replace '^.*:', ''
            $r = Invoke-Sd 'signal', "udp://127.0.0.1:$port", 'ALIVE', '--reply', '--secret-code', 'r-secret'
            $r.ExitCode | Should -Be 0
            $r.Output | Should -Match '^ABSOLUTELY '
        }
    }
}

Describe 'Start-SdListener -Control' {
    Context 'a udp:// control endpoint without -SecretCode' {
        It 'ends with SecretCodeMissing' {
            Import-Module $env:SD_MODULE
            { Start-SdListener -Endpoint tcp://127.0.0.1:0 -Dispatchers 0 -RuntimeDirectory (Join-Path $TestDrive 'ps.run') -Control udp://127.0.0.1:0 } |
                Should -Throw -ErrorId 'SecretCodeMissing,SocketDispatcher.PowerShell.StartSdListenerCommand'
        }
    }
}
