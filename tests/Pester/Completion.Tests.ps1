# Argument completion as TabExpansion2 (what Tab calls) offers it: handlers, endpoints of running
# listeners, and the commands a peer listed in HELP. Runs in its own `dotnet pwsh` process.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    $env:XDG_RUNTIME_DIR = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'xdg')).FullName
    $script:job = Start-SdListener -Endpoint 'tcp://127.0.0.1:0' -Dispatchers 1 -Name completion -AsJob
    $script:listener = Get-SdListener -Name completion
    $null = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'handlers')
    Set-Content -Path (Join-Path $TestDrive 'handlers/chat.ps1') -Value '@{}'
    Set-Content -Path (Join-Path $TestDrive 'handlers/notes.txt') -Value 'not a handler'
    Push-Location $TestDrive

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

AfterAll {
    Pop-Location
    Get-SdClient | Disconnect-SdClient
    if ($job) { $job | Remove-Job -Force }
}

Describe 'Start-SdListener' {
    Context '-Handler' {
        It 'offers the built-in handlers' {
            Get-Completion 'Start-SdListener -Handler ' | Should -Contain 'conversation'
            Get-Completion 'Start-SdListener -Handler e' | Should -Be @('echo')
        }

        It 'offers .ps1 files and folders, not other files' {
            Get-Completion 'Start-SdListener -Handler ha' | Should -Be @('handlers/')
            Get-Completion 'Start-SdListener -Handler handlers/' | Should -Be @('handlers/chat.ps1')
        }
    }

    Context '-Endpoint' {
        It 'offers the schemes, not the endpoints running listeners hold' {
            Get-Completion 'Start-SdListener -Endpoint t' | Should -Be @('tcp://', 'tls://')
            Get-Completion 'Start-SdListener -Endpoint unix' | Should -Be @('unix:', 'unixgram:')
        }
    }
}

Describe 'Start-SdDispatcher' {
    Context '-Handler and -HandlerFile' {
        It 'offers built-in names to -Handler, and scripts to -HandlerFile' {
            Get-Completion 'Start-SdDispatcher -Handler ' | Should -Be @('conversation', 'echo', 'greet')
            Get-Completion 'Start-SdDispatcher -HandlerFile handlers/' | Should -Be @('handlers/chat.ps1')
        }

        It 'offers the handoff socket of a running listener to -Handoff' {
            Get-Completion 'Start-SdDispatcher -Handoff ' | Should -Contain $listener.Handoff.ToString()
        }
    }
}

Describe 'Connect-SdClient' {
    Context '-Endpoint' {
        It 'offers the endpoints of running listeners, then the schemes' {
            $offered = Get-Completion 'Connect-SdClient -Endpoint '
            $offered[0] | Should -Be $listener.Endpoints[0].ToString()
            $offered | Should -Contain 'tls://'
        }
    }
}

Describe 'Get-SdListener' {
    Context '-Control and -Name' {
        It 'offers the control endpoints and names of running listeners' {
            Get-Completion 'Get-SdListener -Control ' | Should -Contain $listener.Control.ToString()
            Get-Completion 'Get-SdListener -Name comp' | Should -Be @('completion')
        }
    }
}

Describe 'Send-SdMessage' {
    Context '-Command' {
        It 'offers the built-in commands before a peer said anything' {
            Get-Completion 'Send-SdMessage -Endpoint $x -Command STA' | Should -Be @('STATUS')
        }

        It 'offers what the peer listed in HELP, and the built-in commands' {
            $c = Connect-SdClient $listener.Endpoints[0]
            $c | Send-SdMessage -Command HELP
            $null = Receive-SdMessage -Client $c -Command COMMANDS
            $offered = Get-Completion 'Send-SdMessage -Client $c -Command '
            $offered | Should -Contain 'DAD'
            $offered | Should -Contain 'TOP'
            $offered | Should -Contain 'STATUS'
            Get-Completion 'Receive-SdMessage -Client $c -Command MO' | Should -Be @('MOM')
            $c | Disconnect-SdClient
        }
    }
}
