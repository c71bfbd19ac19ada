# The pipeline lines of issue 8, each as a user types it, against one listener job of this process
# (its control socket under $TestDrive through $XDG_RUNTIME_DIR, so that Get-SdListener finds it).
# Runs in its own `dotnet pwsh` process.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $env:XDG_RUNTIME_DIR = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'xdg')).FullName
    $script:logFile = Join-Path $TestDrive 'pipeline.log'
    $script:job = Start-SdListener -Endpoint 'tcp://127.0.0.1:0' -Dispatchers 1 -Name pipeline -LogFile $logFile -AsJob
    $script:endpoint = (Get-SdListener -Name pipeline).Endpoints[0]
}

AfterAll {
    Get-SdClient | Disconnect-SdClient
    if ($job) { $job | Remove-Job -Force }
}

Describe 'Get-SdClient | Disconnect-SdClient' {
    It 'closes every client of the session' {
        $clients = 1..3 | ForEach-Object { Connect-SdClient $endpoint }
        Get-SdClient | Disconnect-SdClient
        Get-SdClient | Should -BeNullOrEmpty
        $clients.IsConnected | Should -Not -Contain $true
    }
}

Describe 'Get-SdListener | Stop-SdListener -WhatIf' {
    It 'names the listener it would stop, and stops nothing' {
        # "What if:" goes to the host, not to a stream: run the line in a real pwsh and read its output.
        $said = & ([Environment]::ProcessPath) "$PSHOME/pwsh.dll" -NoProfile -NonInteractive -Command (
            "Import-Module '$env:SD_MODULE'; Get-SdListener | Stop-SdListener -WhatIf") 2>&1 | Out-String
        $said | Should -Match "What if: Performing the operation ""QUIT: .*"" on target ""pipeline \(pid $PID, running\)"""
        (Get-SdListener -Name pipeline).State | Should -Be 'running'
        $job.State | Should -Be 'Running'
    }
}

Describe "'HELP', 'ALIVE serial=1' | ConvertFrom-SdMessage" {
    It 'reads each line into a message' {
        $messages = 'HELP', 'ALIVE serial=1' | ConvertFrom-SdMessage
        $messages | Should -HaveCount 2
        $messages[0].Command | Should -Be 'HELP'
        $messages[1].Command | Should -Be 'ALIVE'
        $messages[1].Parameters['serial'] | Should -Be '1'
    }
}

Describe 'Receive-SdMessage -Client $c | Where-Object Command -eq WHO' {
    It 'keeps the messages of one command' {
        $c = Connect-SdClient $endpoint
        $c | Send-SdMessage -Command TOP
        $who = Receive-SdMessage -Client $c -Count 2 | Where-Object Command -eq WHO
        $who | Should -HaveCount 1
        $who.Connection | Should -Be $c.Id
        $c | Disconnect-SdClient
    }
}

Describe 'Get-SdListener | Send-SdMessage -Command LOG' {
    It 'sends LOG to the control endpoint of each listener' {
        Get-SdListener | Send-SdMessage -Command LOG
        Wait-SdCondition -Because 'the listener reopened its log file' -State { Get-Content -Raw $logFile } -Condition {
            (Get-Content -Raw $logFile) -match 'reopened \(LOG on control endpoint'
        }
    }
}
