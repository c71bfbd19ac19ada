# Every socket family and type of seed 002 (issue 6): stream conversations over IPv4, IPv6, TLS over
# IPv6 and AF_UNIX (path and abstract) through one `sd listen` holding all of them at once;
# request/reply over UDP and unixgram: (`sd serve`); socket pairs of each type, in this process and
# with one end inherited by a child process.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force
    $script:certs = Join-Path $TestDrive 'certs'
    & $env:SD_BIN cert --out $certs | Out-Null
    $script:ca = Join-Path $certs 'ca.pem'

    # Runs seed 001's conversation on a connected client and returns the answers.
    function Invoke-Conversation([SocketDispatcher.SdConnection] $Client) {
        $Client | Receive-SdMessage -Timeout 10s | ForEach-Object Command
        foreach ($command in 'DAD', 'TOP', 'MOM') {
            $Client | Send-SdMessage -Command $command
            $Client | Receive-SdMessage -Timeout 10s | ForEach-Object Command
        }
    }

    # Starts `sd serve` on -Endpoint and waits until it prints the bound endpoints.
    function Start-SdTestServe([string[]] $Endpoint, [string] $Name, [string[]] $Extra = @()) {
        $arguments = @('serve', '--handler', 'conversation') + @($Endpoint | ForEach-Object { '--endpoint', $_ }) + $Extra
        $process = Start-SdProcess -ArgumentList $arguments -OutputDirectory $TestDrive -Name $Name
        $lines = Wait-SdCondition -Because "sd serve prints its $($Endpoint.Count) endpoint(s)" -State { Get-SdProcessOutput $process -Stream All } -Condition {
            $out = @((Get-SdProcessOutput $process) -split "`n" | Where-Object { $_ })
            if ($out.Count -ge $Endpoint.Count) { , $out }
        }
        $process | Add-Member -NotePropertyName Endpoints -NotePropertyValue $lines -PassThru
    }
}

Describe 'sd listen on many endpoints' {
    Context 'IPv4, IPv6, TLS over IPv6 and AF_UNIX (path and abstract) at once' {
        BeforeAll {
            $script:abstract = "sd-test-$PID-$(Get-Random)"
            $script:unixPath = Join-Path $TestDrive 'stream.sock'
            $runtime = Join-Path $TestDrive 'many.run'
            $script:listener = Start-SdProcess -OutputDirectory $TestDrive -Name many -ArgumentList @(
                'listen', '--dispatchers', '2', '--runtime-dir', $runtime, '--drain-timeout', '2s',
                '--endpoint', 'tcp://127.0.0.1:0', '--endpoint', 'tcp://[::1]:0', '--endpoint', 'tls://[::1]:0',
                '--endpoint', "unix:$unixPath", '--endpoint', "unix:@$abstract",
                '--cert', (Join-Path $certs 'server.pem'), '--key', (Join-Path $certs 'server.key'))
            $control = "unix:$runtime/control.sock"
            $script:status = Wait-SdCondition -TimeoutSeconds 30 -Because 'two dispatchers are ready' -State { Get-SdProcessOutput $listener -Stream All } -Condition {
                if (-not (Test-Path "$runtime/control.sock")) { return $null }
                $s = Get-SdTestStatus -Control $control
                if (@($s.Dispatchers | Where-Object state -EQ 'ready').Count -ge 2) { $s }
            }
        }

        AfterAll {
            Get-SdClient | Disconnect-SdClient
            Stop-SdProcess $listener -GraceSeconds 5
        }

        It 'runs the conversation over <Name>' -ForEach @(
            @{ Name = 'IPv4 TCP'; Index = 0 }
            @{ Name = 'IPv6 TCP ([::1])'; Index = 1 }
            @{ Name = 'TLS over IPv6'; Index = 2 }
            @{ Name = 'AF_UNIX stream, path'; Index = 3 }
            @{ Name = 'AF_UNIX stream, abstract'; Index = 4 }
        ) {
            $endpoint = $status.Endpoints[$Index]
            $client = if ($endpoint -like 'tls://*') { Connect-SdClient $endpoint -CertificateAuthority $ca } else { Connect-SdClient $endpoint }
            try {
                Invoke-Conversation $client | Should -Be @('HI', 'CLIMB', 'WHO', 'BYE')
                if ($endpoint -like 'tls://*') { $client.TlsProtocol | Should -Not -BeNullOrEmpty }
            }
            finally { $client | Disconnect-SdClient }
        }

        It 'hands the connections of every endpoint to the same dispatchers' {
            $after = Get-SdTestStatus -Control "unix:$(Join-Path $TestDrive 'many.run')/control.sock"
            $after.Handed | Should -BeGreaterOrEqual 5
            @($after.Dispatchers).Count | Should -Be 2
        }
    }
}

Describe 'sd serve on datagram endpoints' {
    Context 'UDP and unixgram (path and abstract)' {
        BeforeAll {
            $script:gramPath = Join-Path $TestDrive 'gram.sock'
            $script:gramName = "sd-gram-$PID-$(Get-Random)"
            $script:serve = Start-SdTestServe -Name serve -Endpoint 'udp://127.0.0.1:0', "unixgram:$gramPath", "unixgram:@$gramName"
        }

        AfterAll {
            Stop-SdProcess $serve -GraceSeconds 5
        }

        It 'answers a request over <Name> to the sender''s address' -ForEach @(
            @{ Name = 'UDP'; Index = 0 }
            @{ Name = 'unixgram, path'; Index = 1 }
            @{ Name = 'unixgram, abstract'; Index = 2 }
        ) {
            $endpoint = $serve.Endpoints[$Index]
            (Send-SdMessage -Endpoint $endpoint -Command DAD -Reply -Timeout 5s).Command | Should -Be 'CLIMB'
            (Send-SdMessage -Endpoint $endpoint -Command HELP -Reply -Timeout 5s).Parameters['list'] | Should -Be 'ALIVE,DAD,HELP,MOM,QUIT,TOP'
            & $env:SD_BIN signal $endpoint TOP --reply | Should -Be 'WHO'
        }

        It 'answers UNKNOWN to a command it does not know, one datagram, one answer' {
            $answer = Send-SdMessage -Endpoint $serve.Endpoints[1] -Command NOPE -Reply -Timeout 5s
            $answer.Command | Should -Be 'UNKNOWN'
            $answer.Parameters['command'] | Should -Be 'NOPE'
        }

        It 'stops on QUIT from a local sender and removes its socket file' {
            Send-SdMessage -Endpoint $serve.Endpoints[0] -Command QUIT
            Wait-SdCondition -Because 'sd serve exits after QUIT' -State { Get-SdProcessOutput $serve -Stream All } -Condition { $serve.Process.HasExited }
            $serve.Process.ExitCode | Should -Be 0
            Test-Path $gramPath | Should -BeFalse
        }
    }

    Context 'Bad use' {
        It 'refuses a stream endpoint with a one-line error and exit code 2' {
            $output = & $env:SD_BIN serve --endpoint tcp://127.0.0.1:0 2>&1
            $LASTEXITCODE | Should -Be 2
            @($output).Count | Should -Be 1
            "$output" | Should -BeLike '*tcp://127.0.0.1:0 is not a datagram endpoint*'
        }

        It 'says ConnectionRefused when no unixgram socket is there' {
            { Send-SdMessage -Endpoint "unixgram:$(Join-Path $TestDrive 'none.sock')" -Command PING } |
                Should -Throw -ErrorId 'ConnectionRefused,SocketDispatcher.PowerShell.SendSdMessageCommand'
        }
    }
}

Describe 'New-SdSocketPair' {
    Context 'A pair of type <_> in this process' -ForEach 'Stream', 'Datagram', 'SeqPacket' {
        BeforeAll {
            $script:a, $script:b = New-SdSocketPair -Type $_
        }

        AfterAll {
            $a, $b | Where-Object { $_ } | Disconnect-SdClient
        }

        It 'writes two connected SdConnection ends' {
            $a | Should -BeOfType ([SocketDispatcher.SdConnection])
            $b | Should -BeOfType ([SocketDispatcher.SdConnection])
            $a.IsConnected | Should -BeTrue
            $a.Target | Should -Be "socketpair:$($_.ToLowerInvariant())"
        }

        It 'carries messages from the first end to the second, in order, parameters intact' {
            $a | Send-SdMessage -Command PING -Parameter @{ n = 1; text = 'x;y\' }
            $a | Send-SdMessage -Command PING -Parameter @{ n = 2 }
            $got = @($b | Receive-SdMessage -Count 2 -Timeout 5s)
            $got.Parameters.n | Should -Be @('1', '2')
            $got[0].Parameters['text'] | Should -Be 'x;y\'
        }

        It 'carries messages from the second end to the first' {
            $b | Send-SdMessage -Command PONG
            ($a | Receive-SdMessage -Timeout 5s).Command | Should -Be 'PONG'
        }
    }

    Context 'One end of a <_> pair inherited by a child process (sd serve --fd)' -ForEach 'Stream', 'SeqPacket', 'Datagram' {
        BeforeAll {
            $pair = [SocketDispatcher.SdSocketPair]::CreateForChild($_, $null)
            $script:local = $pair.Item1
            $child = $pair.Item2
            try {
                $script:server = Start-SdProcess -OutputDirectory $TestDrive -Name "fd-$_" -ArgumentList @('serve', '--fd', $child.Descriptor, '--handler', 'conversation')
            }
            finally { $child.Dispose() }
        }

        AfterAll {
            if ($local) { $local.DisposeAsync().AsTask().Wait(5000) }
            Stop-SdProcess $server -GraceSeconds 5
        }

        It 'talks with the child over the inherited end, both ways' {
            ($local | Receive-SdMessage -Timeout 10s).Command | Should -Be 'HI'
            $local | Send-SdMessage -Command DAD
            ($local | Receive-SdMessage -Timeout 10s).Command | Should -Be 'CLIMB'
        }

        It 'stops the child with QUIT' {
            $local | Send-SdMessage -Command QUIT
            Wait-SdCondition -Because 'the child exits after QUIT' -State { Get-SdProcessOutput $server -Stream All } -Condition { $server.Process.HasExited }
            $server.Process.ExitCode | Should -Be 0
        }
    }
}

Describe 'sd signal' {
    Context 'A bad command name' {
        It 'gives one line and exit code 2, sending nothing' {
            $output = & $env:SD_BIN signal udp://127.0.0.1:9 'X 1' 2>&1
            $LASTEXITCODE | Should -Be 2
            @($output).Count | Should -Be 1
            "$output" | Should -BeLike "sd: command 'X 1' is not valid*"
        }
    }
}
