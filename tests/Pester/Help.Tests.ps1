# The help users read: Get-Help for every cmdlet is complete, about_SocketDispatcher exists, and every
# example of the help runs green as written. The examples get their server from one fixture: an
# `sd listen` whose runtime directory is under $TestDrive (through $XDG_RUNTIME_DIR, so Get-SdListener
# finds it), exposed to them as $endpoint, $control and $handoff. Each example runs in a runspace of
# its own with $ErrorActionPreference = 'Stop', in an empty folder. Runs in its own `dotnet pwsh` process.

BeforeDiscovery {
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    $script:commands = @(Get-Command -Module SocketDispatcher -CommandType Cmdlet | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })
    # The examples as Get-Help shows them: what is tested is what ships.
    $script:examples = @(foreach ($command in $commands) {
            $n = 0
            foreach ($example in (Get-Help $command.Name -Full).examples.example) {
                $n++
                @{ Command = $command.Name; Number = $n; Code = $example.code }
            }
        })
}

BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Get-Help <Name>' -ForEach $commands {
    BeforeAll {
        $script:help = Get-Help $Name -Full
        $script:command = Get-Command $Name
    }

    It 'has a synopsis of its own' {
        # Without a help file PowerShell makes the synopsis from the syntax.
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"
    }

    It 'has a description' {
        ($help.description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter, with its type and default' {
        $documented = @($help.parameters.parameter)
        foreach ($parameter in $command.Parameters.Values | Where-Object Name -NotIn $common) {
            $entry = $documented | Where-Object name -EQ $parameter.Name
            $entry | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) must be in the help"
            ($entry.description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) needs a description"
            $entry.type.name | Should -Be $parameter.ParameterType.FullName
            $entry.defaultValue | Should -Not -BeNullOrEmpty
            $entry.pipelineInput | Should -Not -BeNullOrEmpty
        }
    }

    It 'names its inputs and outputs' {
        $help.inputTypes.inputType.type.name | Should -Not -BeNullOrEmpty
        $help.returnValues.returnValue.type.name | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, also with -Examples' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        @((Get-Help $Name -Examples).examples.example).Count | Should -Be @($help.examples.example).Count
    }
}

Describe 'about_SocketDispatcher' {
    It 'explains listener, dispatcher, handoff, endpoints, messages and signals' {
        $text = Get-Help about_SocketDispatcher | Out-String
        foreach ($topic in 'LISTENER', 'DISPATCHER', 'HANDOFF', 'ENDPOINTS', 'MESSAGES', 'SIGNALS', 'SCM_RIGHTS') {
            $text | Should -Match $topic
        }
    }
}

Describe 'Help examples' {
    BeforeAll {
        $script:xdg = Join-Path $TestDrive 'xdg'
        $null = New-Item -ItemType Directory -Path $xdg
        $env:XDG_RUNTIME_DIR = $xdg
        $script:fixture = Start-SdProcess -OutputDirectory $TestDrive -Name fixture -ArgumentList @(
            'listen', '--endpoint', 'tcp://127.0.0.1:0', '--dispatchers', '1', '--name', 'fixture', '--drain-timeout', '2s')
        $controlPath = "$xdg/sd/fixture/control.sock"
        $info = Wait-SdCondition -TimeoutSeconds 30 -Because 'the fixture listener has a ready dispatcher' -State { Get-SdProcessOutput $fixture -Stream All } -Condition {
            if (Test-Path $controlPath) {
                $l = Get-SdListener -Control "unix:$controlPath" -ErrorAction Ignore
                if ($l -and @($l.Dispatchers | Where-Object State -EQ ready).Count -eq 1) { $l }
            }
        }
        # What the examples may use, as they would in a user's session.
        $script:variables = @{
            endpoint = $info.Endpoints[0].ToString()
            control  = $info.Control.ToString()
            handoff  = $info.Handoff.ToString()
        }
        $script:folders = 0
    }

    AfterAll {
        Stop-SdProcess $fixture -GraceSeconds 5
    }

    It '<Command> example <Number> runs green' -ForEach $examples {
        $folder = Join-Path $TestDrive "example-$Command-$Number"
        $null = New-Item -ItemType Directory -Path $folder
        $state = [initialsessionstate]::CreateDefault2()
        $state.ImportPSModule($env:SD_MODULE)
        $shell = [powershell]::Create($state)
        try {
            $shell.Runspace.SessionStateProxy.Path.SetLocation($folder) | Out-Null
            foreach ($name in $variables.Keys) { $shell.Runspace.SessionStateProxy.SetVariable($name, $variables[$name]) }
            $shell.Runspace.SessionStateProxy.SetVariable('ErrorActionPreference', 'Stop')
            $shell.Runspace.SessionStateProxy.SetVariable('ProgressPreference', 'SilentlyContinue')
            $null = $shell.AddScript($Code)
            $run = $shell.BeginInvoke()
            if (-not $run.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(60))) {
                $shell.Stop()
                throw "the example did not finish within 60 s:`n$Code"
            }
            $output = $shell.EndInvoke($run)
            $shell.Streams.Error | Should -BeNullOrEmpty -Because "the example must run without errors:`n$Code"
            $shell.InvocationStateInfo.State | Should -Be 'Completed'
            # Formatted as a user would see it: a view that fails to render fails here.
            $null = $output | Out-String -Width 100
        }
        finally {
            # An example that failed half-way must not leave a listener or a client to the next one.
            $shell.Commands.Clear()
            $null = $shell.AddScript('Get-Job | Remove-Job -Force; Get-SdClient | Disconnect-SdClient').Invoke()
            $shell.Dispose()
        }
    }
}
