# `sd listen` end to end: a real listener process, real dispatcher processes receiving sockets over
# SCM_RIGHTS, real TLS clients (SslStream and openssl s_client).

BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force
    $script:certs = Join-Path $TestDrive 'certs'
    & $env:SD_BIN cert --out $certs | Out-Null
    $script:ca = Join-Path $certs 'ca.pem'
}

Describe 'sd listen' {
    Context 'TLS conversation through two dispatchers' {
        BeforeAll {
            $script:listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name tls
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'greets openssl s_client with HI and answers DAD with CLIMB' {
            $lines = Invoke-SdOpenSslConversation -Port $listener.Port -CaFile $ca -Lines 'DAD' -Until '^CLIMB$'
            $lines[0] | Should -Be 'HI'
            $lines[-1] | Should -Be 'CLIMB'
        }

        It 'runs the whole seed conversation: HI, DAD/CLIMB, TOP/WHO, MOM/BYE' {
            $answers = Invoke-SdTestConversation -Port $listener.Port -CaFile $ca -TargetHost localhost -Lines 'DAD', 'TOP', 'MOM'
            $answers | Should -Be @('HI', 'CLIMB', 'WHO', 'BYE')
        }

        It 'serves connections from both dispatcher processes' {
            $before = Get-SdTestStatus -Control $listener.Control
            1..10 | ForEach-Object {
                Invoke-SdTestConversation -Port $listener.Port -CaFile $ca | Should -Be 'HI'
            }
            $after = Get-SdTestStatus -Control $listener.Control
            $after.Dispatchers.Count | Should -Be 2
            foreach ($d in $after.Dispatchers) {
                $was = @($before.Dispatchers | Where-Object pid -EQ $d.pid)[0].handed
                ($d.handed - $was) | Should -BeGreaterThan 0 -Because "dispatcher $($d.pid) should have served some of the 10 connections"
            }
            $after.Handed - $before.Handed | Should -Be 10
        }

        It 'hands 200 connections in a row without resetting any (the listener closes its copy gently)' {
            # A listener that disposes its Socket while sendmsg still holds the handle resets the
            # connection under the dispatcher; this caught it about once in 20 connections.
            $failures = foreach ($i in 1..200) {
                try {
                    if ((Invoke-SdTestConversation -Port $listener.Port -CaFile $ca) -ne 'HI') { "connection ${i}: no HI" }
                }
                catch { "connection ${i}: $($_.Exception.GetBaseException().Message)" }
            }
            $failures | Should -BeNullOrEmpty
        }

        It 'shows its counters and one row per dispatcher pid in sd status' {
            $pids = (Get-SdTestStatus -Control $listener.Control).Dispatchers.pid
            $text = & $env:SD_BIN status --control $listener.Control
            $LASTEXITCODE | Should -Be 0
            $text[0] | Should -Match "^\S+ \(pid $($listener.Id), running\)"
            foreach ($id in $pids) { @($text | Where-Object { $_ -match "^\s+$id ready " }).Count | Should -Be 1 -Because "dispatcher $id has a row" }
            @($text | Where-Object { $_ -match '^\s+\d+ ready ' }).Count | Should -Be 2
        }

        It 'answers a malformed line with INVALID and goes on' {
            $answers = Invoke-SdTestConversation -Port $listener.Port -CaFile $ca -Lines 'PING 1a=1', 'DAD'
            $answers[0] | Should -Be 'HI'
            $answers[1] | Should -Match '^INVALID command=PING;message=.*digit'
            $answers[2] | Should -Be 'CLIMB'
        }

        It 'answers HELP, ALIVE and an unknown command' {
            $answers = Invoke-SdTestConversation -Port $listener.Port -CaFile $ca -Lines 'HELP', 'ALIVE serial=42', 'JUMP'
            $answers[0] | Should -Be 'HI'
            $answers[1] | Should -Be 'COMMANDS list=ALIVE,DAD,HELP,MOM,QUIT,TOP'
            $answers[2] | Should -Match '^ABSOLUTELY reply_timestamp=\d+\.\d{9};serial=42$'
            $answers[3] | Should -Be 'UNKNOWN command=JUMP'
        }

        It 'answers an oversize line with INVALID and closes that connection only' {
            $c = Connect-SdTestTls -Port $listener.Port -CaFile $ca
            $other = Connect-SdTestTls -Port $listener.Port -CaFile $ca
            try {
                Read-SdTestLine $c | Should -Be 'HI'
                Read-SdTestLine $other | Should -Be 'HI'
                $c.Writer.Write('X' * 70000)
                Read-SdTestLine $c | Should -Match '^INVALID .*longer than 65536 bytes'
                Read-SdTestLine $c | Should -BeNullOrEmpty
                $other.Writer.WriteLine('DAD')
                Read-SdTestLine $other | Should -Be 'CLIMB'
            }
            finally { $c.Close(); $other.Close() }
        }

        It 'keeps the listening socket out of the dispatchers (close-on-exec)' {
            # /proc/net/tcp (proc(5)): the inode of the socket listening on our port.
            $portHex = '{0:X4}' -f $listener.Port
            $row = Get-Content /proc/net/tcp | Where-Object { ($_.Trim() -split '\s+')[1] -eq "0100007F:$portHex" -and ($_.Trim() -split '\s+')[3] -eq '0A' }
            $inode = ($row.Trim() -split '\s+')[9]
            $inode | Should -Not -BeNullOrEmpty
            @(Get-ChildItem "/proc/$($listener.Id)/fd" | Where-Object Target -EQ "socket:[$inode]").Count | Should -Be 1
            foreach ($d in (Get-SdTestStatus -Control $listener.Control).Dispatchers) {
                @(Get-ChildItem "/proc/$($d.pid)/fd" | Where-Object Target -EQ "socket:[$inode]").Count | Should -Be 0 -Because "dispatcher $($d.pid) must not inherit the listening socket"
            }
        }
    }

    Context 'message definitions from --definitions' {
        BeforeAll {
            $script:definitions = Join-Path $TestDrive 'definitions'
            $null = New-Item -ItemType Directory -Path $definitions
            Set-Content -Path (Join-Path $definitions 'DAD.psd1') -Value "@{ Command = 'DAD'; Parameters = @( @{ Name = 'age'; Presence = 'Required'; Type = 'Integer' } ) }"
            $script:listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name definitions -Dispatchers 1 -ExtraArguments @('--definitions', $definitions, '--trace')
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'answers a message that breaks its definition with INVALID naming the rule, and goes on' {
            $answers = Invoke-SdTestConversation -Port $listener.Port -CaFile $ca -Lines 'DAD', 'DAD age=old', 'DAD age=+40'
            $answers[0] | Should -Be 'HI'
            $answers[1] | Should -BeLike "INVALID command=DAD;message=DAD breaks rule 'age: required' of */DAD.psd1: parameter 'age' is missing"
            $answers[2] | Should -BeLike "INVALID command=DAD;message=DAD breaks rule 'age: integer' of *"
            $answers[3] | Should -Be 'CLIMB'
        }

        It 'traces each message in and out with direction, connection id and peer (--trace)' {
            $c = Connect-SdTestTls -Port $listener.Port -CaFile $ca
            try {
                Read-SdTestLine $c | Should -Be 'HI'
                $c.Writer.WriteLine('DAD age=7;mood=traced')
                Read-SdTestLine $c | Should -Be 'CLIMB'
                $local = ([System.Net.IPEndPoint] $c.Tcp.Client.LocalEndPoint).Port
            }
            finally { $c.Close() }
            $trace = Wait-SdCondition -Because 'the dispatcher traced the answer' -Condition {
                $text = Get-SdProcessOutput $listener -Stream Error
                if ($text -match "out \[\S+\] 127\.0\.0\.1:${local}: CLIMB") { $text }
            }
            $trace | Should -Match "in \[\S+\] 127\.0\.0\.1:${local}: DAD age=7;mood=traced"
        }

        It 'checks the built-in commands against the shipped definitions' {
            $c = Connect-SdTestTls -Port $listener.Port -CaFile $ca
            try {
                Read-SdTestLine $c | Should -Be 'HI'
                $c.Writer.WriteLine('HELP topic=all')
                Read-SdTestLine $c | Should -Be "INVALID command=HELP;message=HELP breaks rule 'no other parameters' of built-in:HELP.json: parameter 'topic' is not defined"
            }
            finally { $c.Close() }
        }

        It 'prints an answer as JSON with sd signal --reply --json' {
            $json = & $env:SD_BIN signal $listener.Control ALIVE --param serial=9 --reply --json
            $LASTEXITCODE | Should -Be 0
            $answer = $json | ConvertFrom-Json
            $answer.command | Should -Be 'ABSOLUTELY'
            $answer.parameters.serial | Should -BeExactly '9'
            $answer.parameters.reply_timestamp | Should -Match '^\d+\.\d{9}$'
        }

        It 'refuses a bad definition file at start with one line and exit code 2' {
            $bad = Join-Path $TestDrive 'bad-definitions'
            $null = New-Item -ItemType Directory -Path $bad
            Set-Content -Path (Join-Path $bad 'FIRE.json') -Value '{ "command": "FIRE", "parameters": [ { "name": "x", "type": "float" } ] }'
            $output = & $env:SD_BIN listen --endpoint 'tcp://127.0.0.1:0' --runtime-dir (Join-Path $TestDrive 'bad.run') --definitions $bad 2>&1
            $LASTEXITCODE | Should -Be 2
            @($output).Count | Should -Be 1
            "$output" | Should -Match "FIRE\.json' is not valid: parameter 'x': type 'float' is not one of"
        }
    }

    Context 'a dispatcher killed with SIGKILL' {
        BeforeAll {
            $script:listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name killed
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'is replaced, and new connections keep being served' {
            $victim = (Get-SdTestStatus -Control $listener.Control).Dispatchers[0].pid
            & kill -KILL $victim
            $status = Wait-SdCondition -TimeoutSeconds 20 -Because 'a new dispatcher replaces the killed one' -Condition {
                $s = Get-SdTestStatus -Control $listener.Control
                if (@($s.Dispatchers | Where-Object { $_.state -eq 'ready' -and $_.pid -ne $victim }).Count -eq 2) { $s }
            }
            @($status.Dispatchers | Where-Object restarts -EQ 1).Count | Should -Be 1
            1..6 | ForEach-Object {
                Invoke-SdTestConversation -Port $listener.Port -CaFile $ca -Lines 'DAD' | Should -Be @('HI', 'CLIMB')
            }
        }
    }

    Context 'QUIT by sd signal' {
        It 'stops the listener and its dispatchers, leaving no process and no socket file' {
            $listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name quit
            try {
                $dispatchers = @(Get-SdChildProcessId -ParentId $listener.Id)
                $dispatchers.Count | Should -Be 2
                & $env:SD_BIN signal $listener.Control QUIT
                $LASTEXITCODE | Should -Be 0
                $listener.Process.WaitForExit(20000) | Should -BeTrue
                $listener.Process.ExitCode | Should -Be 0
                foreach ($id in $dispatchers) { Test-Path "/proc/$id" | Should -BeFalse -Because "dispatcher $id should be gone" }
                Test-Path $listener.RuntimeDirectory | Should -BeFalse
            }
            finally { Stop-SdProcess $listener }
        }

        It 'stops the same way on QUIT by Send-SdMessage' {
            Import-Module $env:SD_MODULE
            $listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name quitcmdlet
            try {
                $dispatchers = @(Get-SdChildProcessId -ParentId $listener.Id)
                Send-SdMessage -Endpoint $listener.Control -Command QUIT
                $listener.Process.WaitForExit(20000) | Should -BeTrue
                $listener.Process.ExitCode | Should -Be 0
                foreach ($id in $dispatchers) { Test-Path "/proc/$id" | Should -BeFalse -Because "dispatcher $id should be gone" }
                Test-Path $listener.RuntimeDirectory | Should -BeFalse
            }
            finally { Stop-SdProcess $listener }
        }

        It 'takes the ed-signal spelling: --host HOST:PORT --type tcp QUIT' {
            $runtime = Join-Path $TestDrive 'edsignal.run'
            $listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name edsignal -ExtraArguments @('--control', "unix:$runtime/control.sock", '--control', 'tcp://127.0.0.1:0', '--secret-code', 'ed-secret')
            try {
                $tcpControl = [regex]::Match((Get-SdProcessOutput $listener -Stream Error), 'control \S+ (tcp://\S+)').Groups[1].Value
                $hostPort = $tcpControl -replace '^tcp://', ''
                & $env:SD_BIN signal --host $hostPort --type tcp --secret-code ed-secret QUIT
                $LASTEXITCODE | Should -Be 0
                $listener.Process.WaitForExit(20000) | Should -BeTrue
                $listener.Process.ExitCode | Should -Be 0
            }
            finally { Stop-SdProcess $listener }
        }
    }

    Context 'other ways to stop' {
        It 'drains and exits 0 on SIGTERM, as on QUIT' {
            $listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name sigterm
            try {
                $dispatchers = @(Get-SdChildProcessId -ParentId $listener.Id)
                & kill -TERM $listener.Id
                $listener.Process.WaitForExit(20000) | Should -BeTrue
                $listener.Process.ExitCode | Should -Be 0
                foreach ($id in $dispatchers) { Test-Path "/proc/$id" | Should -BeFalse }
                Test-Path $listener.RuntimeDirectory | Should -BeFalse
            }
            finally { Stop-SdProcess $listener }
        }

        It 'stops the whole service when a local conversation client sends QUIT' {
            $listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name clientquit
            try {
                $c = Connect-SdTestTls -Port $listener.Port -CaFile $ca
                try {
                    Read-SdTestLine $c | Should -Be 'HI'
                    $c.Writer.WriteLine('QUIT')
                }
                finally { $c.Close() }
                $listener.Process.WaitForExit(20000) | Should -BeTrue
                $listener.Process.ExitCode | Should -Be 0
                Test-Path $listener.RuntimeDirectory | Should -BeFalse
            }
            finally { Stop-SdProcess $listener }
        }
    }

    Context 'bad input' {
        It 'refuses a bad endpoint with one line and exit code 2' {
            $output = & $env:SD_BIN listen --endpoint 'tcp://300.1.1.1:1' 2>&1
            $LASTEXITCODE | Should -Be 2
            @($output).Count | Should -Be 1
            "$output" | Should -Match "'300\.1\.1\.1' is not a valid IPv4 address"
        }

        It 'refuses a missing certificate file with one line and exit code 2' {
            $output = & $env:SD_BIN listen --endpoint 'tls://127.0.0.1:0' --cert (Join-Path $TestDrive 'none.pem') --key (Join-Path $TestDrive 'none.key') 2>&1
            $LASTEXITCODE | Should -Be 2
            @($output).Count | Should -Be 1
            "$output" | Should -Match 'none\.pem.*not found'
        }

        It 'refuses a port in use with one line and a non-zero exit code' {
            $taken = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $taken.Start()
            try {
                $port = ([System.Net.IPEndPoint] $taken.LocalEndpoint).Port
                $output = & $env:SD_BIN listen --endpoint "tcp://127.0.0.1:$port" --runtime-dir (Join-Path $TestDrive 'inuse.run') 2>&1
                $LASTEXITCODE | Should -Not -Be 0
                @($output).Count | Should -Be 1
                "$output" | Should -Match 'address already in use'
                Test-Path (Join-Path $TestDrive 'inuse.run') | Should -BeFalse
            }
            finally { $taken.Stop() }
        }
    }
}
