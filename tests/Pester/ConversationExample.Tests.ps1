# examples/conversation: seed 001's README step by step, the client started before the server
# (it is permanent), --trace on both sides, and QUIT by sd signal in ed-signal's spelling.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:examples = Join-Path $PSScriptRoot '../../examples/conversation'
    $script:repository = Join-Path $PSScriptRoot '../..'

    # Runs an example script in a fresh pwsh, output to files.
    function Start-Example([string] $Name, [string[]] $Arguments) {
        $pwsh = (Get-Process -Id $PID).Path
        $all = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $examples "$Name.ps1"), '-ModulePath', $env:SD_MODULE) + $Arguments
        # `dotnet pwsh` runs as the dotnet host: pass "pwsh" first when so (from the repository, where the tool manifest is).
        if ((Split-Path -Leaf $pwsh) -like 'dotnet*') { $all = @('pwsh') + $all }
        Start-SdProcess -FilePath $pwsh -ArgumentList $all -OutputDirectory $TestDrive -Name $Name -WorkingDirectory $repository
    }

    $script:port = Get-SdFreeTcpPort
    $script:runtime = Join-Path $TestDrive 'conversation.run'
    $script:client = Start-Example client @('-Endpoint', "tcp://127.0.0.1:$port", '-Trace', '-PauseDuration', '200ms', '-TimeoutSeconds', '90')
    # The client is up and finds nobody: it keeps trying.
    Wait-SdCondition -TimeoutSeconds 60 -Because 'the client retries while no server runs' -State { Get-SdProcessOutput $client -Stream All } -Condition {
        (Get-SdProcessOutput $client) -match 'SD_RECONNECT_ATTEMPT .*attempt=2'
    }
    $script:clientRanAlone = -not $client.Process.HasExited

    $script:server = Start-Example server @('-Endpoint', "tcp://127.0.0.1:$port", '-Trace', '-RuntimeDirectory', $runtime)
    Wait-SdCondition -TimeoutSeconds 90 -Because 'the client completes the conversation and quits' -State { (Get-SdProcessOutput $client -Stream All) + (Get-SdProcessOutput $server -Stream All) } -Condition {
        $client.Process.HasExited
    }
    $script:clientOutput = Get-SdProcessOutput $client
}

AfterAll {
    Stop-SdProcess $client
    Stop-SdProcess $server
}

Describe 'examples/conversation' {
    Context 'client.ps1 started before server.ps1, both with -Trace' {
        It 'keeps the client waiting while no server runs' {
            $clientRanAlone | Should -BeTrue
        }

        It 'completes the conversation: HI, DAD, CLIMB, TOP, WHO, MOM, BYE' {
            $client.Process.ExitCode | Should -Be 0 -Because (Get-SdProcessOutput $client -Stream All)
            $steps = [regex]::Matches($clientOutput, '(?m)^\S+ (<-|->) (\w+)') | ForEach-Object { "$($_.Groups[1].Value) $($_.Groups[2].Value)" }
            $steps -join ', ' | Should -Be '<- HI, -> DAD, <- CLIMB, -> TOP, <- WHO, -> MOM, <- BYE'
            $clientOutput | Should -Match 'conversation complete'
        }

        It 'traces the messages on the server side too' {
            $log = Get-SdProcessOutput $server -Stream Error
            foreach ($line in 'in \[\d+\] 127\.0\.0\.1:\d+: DAD', 'out \[\d+\] 127\.0\.0\.1:\d+: CLIMB', 'in \[\d+\] 127\.0\.0\.1:\d+: MOM', 'out \[\d+\] 127\.0\.0\.1:\d+: BYE') {
                $log | Should -Match $line
            }
        }

        It 'stops the server on QUIT by sd signal (ed-signal spelling), leaving nothing behind' {
            $server.Process.HasExited | Should -BeFalse
            & $env:SD_BIN signal --host "127.0.0.1:$port" --type tcp QUIT
            $LASTEXITCODE | Should -Be 0
            $server.Process.WaitForExit(30000) | Should -BeTrue
            $server.Process.ExitCode | Should -Be 0 -Because (Get-SdProcessOutput $server -Stream All)
            Test-Path $runtime | Should -BeFalse
        }
    }

    Context 'logrotate.conf' {
        It 'is a configuration logrotate accepts, whose postrotate sends LOG with sd signal' {
            $logrotate = (Get-Command logrotate -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
            if (-not $logrotate) { $logrotate = '/usr/sbin/logrotate' }
            $config = Join-Path $examples 'logrotate.conf'
            $output = & $logrotate -d -s (Join-Path $TestDrive 'state') $config 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
            Get-Content -Raw $config | Should -Match '(?s)postrotate\s+sd signal unix:\S+/control\.sock LOG\s+endscript'
        }
    }
}
