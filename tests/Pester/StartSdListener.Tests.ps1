# Start-SdListener and Start-SdDispatcher in this process: each runs in the foreground of its own
# background runspace, and the test talks to them with the client cmdlets over real sockets.
# Runs in its own `dotnet pwsh` process (tools/Invoke-PesterFile.ps1).

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # Runs one SocketDispatcher command in a new runspace; its output collects in .Output.
    function Start-InRunspace([string] $Command, [hashtable] $Parameters) {
        $shell = [powershell]::Create()
        $null = $shell.AddScript({
                param($ModulePath, $Command, $Parameters)
                Import-Module $ModulePath
                & $Command @Parameters -Verbose
            }).AddArgument($env:SD_MODULE).AddArgument($Command).AddArgument($Parameters)
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $inputData = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $inputData.Complete()
        [pscustomobject]@{
            Shell  = $shell
            Output = $output
            Async  = $shell.BeginInvoke($inputData, $output)
        }
    }

    function Get-RunspaceState($Run) {
        "state: $($Run.Shell.InvocationStateInfo.State) $($Run.Shell.InvocationStateInfo.Reason)`n" +
        "verbose: $(($Run.Shell.Streams.Verbose | ForEach-Object Message) -join "`n")`n" +
        "errors: $($Run.Shell.Streams.Error -join "`n")"
    }

    function Stop-InRunspace($Run) {
        if (-not $Run) { return }
        if (-not $Run.Async.IsCompleted) { $Run.Shell.Stop() }
        $Run.Shell.Dispose()
    }
}

Describe 'Start-SdListener' {
    Context 'A listener and a dispatcher started by hand, stopped by QUIT' {
        BeforeAll {
            $script:port = Get-SdFreeTcpPort
            $script:controlPort = Get-SdFreeTcpPort
            $script:runtime = Join-Path $TestDrive 'run'
            $script:listener = Start-InRunspace Start-SdListener @{
                Endpoint = "tcp://127.0.0.1:$port"; Dispatchers = 0; Control = "tcp://127.0.0.1:$controlPort"; SecretCode = 'pester-secret'
                RuntimeDirectory = $runtime; Name = 'pester'
            }
            Wait-SdCondition -Because 'the listener made its handoff socket' -Condition { Test-Path "$runtime/handoff.sock" } -State { Get-RunspaceState $listener }
            $script:dispatcher = Start-InRunspace Start-SdDispatcher @{ Handoff = "unix:$runtime/handoff.sock"; Handler = 'conversation' }
            Wait-SdCondition -Because 'the dispatcher joined the listener' -State { Get-RunspaceState $listener } -Condition {
                $listener.Shell.Streams.Verbose | Where-Object Message -Match 'joined'
            }

            $client = Connect-SdClient "tcp://127.0.0.1:$port"
            $script:greeting = Receive-SdMessage $client -Command HI
            $client | Send-SdMessage -Command DAD
            $script:answer = Receive-SdMessage $client
            $client | Disconnect-SdClient

            Send-SdMessage -Endpoint "tcp://127.0.0.1:$controlPort" -Command QUIT -SecretCode 'pester-secret'
            Wait-SdCondition -TimeoutSeconds 30 -Because 'the listener stopped after QUIT' -Condition { $listener.Async.IsCompleted } -State { Get-RunspaceState $listener }
            Wait-SdCondition -TimeoutSeconds 30 -Because 'the dispatcher stopped after EXIT' -Condition { $dispatcher.Async.IsCompleted } -State { Get-RunspaceState $dispatcher }
        }

        AfterAll {
            Stop-InRunspace $dispatcher
            Stop-InRunspace $listener
        }

        It 'hands the connection to the dispatcher, which runs the conversation' {
            $greeting.Command | Should -Be 'HI'
            $answer.Command | Should -Be 'CLIMB'
        }

        It 'writes one SdHandoff for the connection' {
            $listener.Output | Should -HaveCount 1
            $handoff = $listener.Output[0]
            $handoff | Should -BeOfType ([SocketDispatcher.SdHandoff])
            $handoff.Endpoint.Port | Should -Be $port
            $handoff.DispatcherPid | Should -Be $PID
        }

        It 'writes the listener log as Verbose records' {
            ($listener.Shell.Streams.Verbose | ForEach-Object Message) -join "`n" | Should -Match 'Listener: .*accepting on tcp://127.0.0.1'
        }

        It 'ends without an error, and removes its runtime directory' {
            $listener.Shell.Streams.Error | Should -BeNullOrEmpty
            $dispatcher.Shell.Streams.Error | Should -BeNullOrEmpty
            $runtime | Should -Not -Exist
        }
    }

    Context 'Stopped like Ctrl+C' {
        BeforeAll {
            $script:runtime = Join-Path $TestDrive 'run-stop'
            $script:listener = Start-InRunspace Start-SdListener @{
                Endpoint = "tcp://127.0.0.1:$(Get-SdFreeTcpPort)"; Dispatchers = 0; RuntimeDirectory = $runtime
            }
            Wait-SdCondition -Because 'the listener made its handoff socket' -Condition { Test-Path "$runtime/handoff.sock" } -State { Get-RunspaceState $listener }
        }

        AfterAll {
            Stop-InRunspace $listener
        }

        It 'stops the listener and cleans up' {
            # PowerShell.Stop() is what Ctrl+C does: it calls StopProcessing on the running cmdlet.
            $listener.Shell.Stop()
            $listener.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $runtime | Should -Not -Exist
        }
    }

    Context 'Bad parameters' {
        It 'refuses endpoint text that is not an endpoint at binding' {
            { Start-SdListener -Endpoint 'tcp://127.0.0.1:1', 'nonsense' } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketDispatcher.PowerShell.StartSdListenerCommand'
        }

        It 'refuses -Key without -Certificate' {
            { Start-SdListener -Endpoint 'tls://127.0.0.1:0' -Key (Join-Path $TestDrive 'server.key') } |
                Should -Throw -ErrorId 'CertificateMissing,SocketDispatcher.PowerShell.StartSdListenerCommand'
        }

        It 'passes on Core''s CertificateMissing for tls:// without a certificate' {
            { Start-SdListener -Endpoint 'tls://127.0.0.1:0' -Dispatchers 0 -RuntimeDirectory (Join-Path $TestDrive 'run-tls') } |
                Should -Throw -ErrorId 'CertificateMissing,SocketDispatcher.PowerShell.StartSdListenerCommand'
        }
    }
}

Describe 'Start-SdDispatcher' {
    Context 'Bad parameters' {
        It 'passes on Core''s HandoffEndpointInvalid for a handoff that is not unix:' {
            { Start-SdDispatcher -Handoff 'tcp://127.0.0.1:1' } |
                Should -Throw -ErrorId 'HandoffEndpointInvalid,SocketDispatcher.PowerShell.StartSdDispatcherCommand'
        }

        It 'refuses an unknown handler at binding' {
            { Start-SdDispatcher -Handoff 'unix:/nonexistent.sock' -Handler nope } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketDispatcher.PowerShell.StartSdDispatcherCommand'
        }
    }
}
