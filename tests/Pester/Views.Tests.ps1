# The default views of SocketDispatcher.Format.ps1xml as an operator sees them in a 100-column
# terminal: Get-SdListener, Receive-SdMessage and Get-SdClient render with the columns an operator
# looks at first, and no line is wider than the terminal. Runs in its own `dotnet pwsh` process.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $env:XDG_RUNTIME_DIR = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'xdg')).FullName
    $PSStyle.OutputRendering = 'PlainText'

    $script:job = Start-SdListener -Endpoint 'tcp://127.0.0.1:0' -Dispatchers 1 -Name views-listener -AsJob
    $script:endpoint = (Get-SdListener -Name views-listener).Endpoints[0]
    $script:client = Connect-SdClient $endpoint
    $client | Send-SdMessage -Command ALIVE -Parameter @{ serial = 7 }

    # The dispatcher confirms a TCP connection together with others, within a millisecond: wait for it.
    $null = Wait-SdCondition -Because 'the dispatcher confirmed the connection' -Condition {
        (Get-SdListener -Name views-listener).Dispatchers | Where-Object Open -eq 1
    }

    # The lines of a rendered table: header, dashes, then one row per object.
    function Get-TableLine([object[]] $InputObject) {
        @(($InputObject | Out-String -Width 100) -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ })
    }

    function Assert-Columns([string[]] $Lines, [string[]] $Expected) {
        $Lines.Count | Should -BeGreaterOrEqual 3
        ($Lines[0] -split '\s+' | Where-Object { $_ }) | Should -Be $Expected
        $Lines[1] | Should -Match '^[- ]+$'
        foreach ($line in $Lines) { $line.Length | Should -BeLessOrEqual 100 -Because "'$line' must fit 100 columns" }
    }
}

AfterAll {
    Get-SdClient | Disconnect-SdClient
    if ($job) { $job | Remove-Job -Force }
}

Describe 'Get-SdListener' {
    Context 'Default view' {
        It 'shows name, pid, state, endpoint, ready dispatchers and the counters' {
            $lines = Get-TableLine (Get-SdListener -Name views-listener)
            Assert-Columns $lines 'Name', 'Pid', 'State', 'Endpoint', 'Ready', 'Accepted', 'Handed', 'Rehanded', 'Dropped'
            $lines[2] | Should -Match "^views-list\S*\s+$PID\s+running\s+$([regex]::Escape($endpoint.ToString()))\s+1/1\s+1\s+1\s+0\s+0$"
        }
    }

    Context 'List view' {
        It 'shows every endpoint and one line per dispatcher' {
            $text = Get-SdListener -Name views-listener | Format-List | Out-String -Width 100
            $text | Should -Match 'ControlEndpoints : unix:.*/views-listener/control.sock'
            $text | Should -Match 'Counters\s+: accepted 1, handed 1, re-handed 0, dropped 0'
            $text | Should -Match 'Dispatchers\s+: pid \d+ ready: handed 1, open 1, pending 0, restarts 0'
        }

        It 'shows the dispatchers as a table of their own' {
            $lines = Get-TableLine (Get-SdListener -Name views-listener).Dispatchers
            Assert-Columns $lines 'Pid', 'State', 'Spawned', 'StartedAt', 'Restarts', 'Handed', 'Open', 'Pending'
            $lines[2] | Should -Match '^\s*\d+ ready\s+True\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+0\s+1\s+1\s+0$'
        }
    }
}

Describe 'Receive-SdMessage' {
    Context 'Default view' {
        It 'shows command, parameters, peer and connection' {
            $messages = Receive-SdMessage -Client $client -Count 2
            $lines = Get-TableLine $messages
            Assert-Columns $lines 'Command', 'Parameters', 'Peer', 'Connection'
            $lines[2] | Should -Match "^HI\s+$([regex]::Escape("$($endpoint.Host):$($endpoint.Port)"))\s+$($client.Id)$"
            # The parameters column cuts long values short with an ellipsis: it still fits.
            $lines[3] | Should -Match "^ABSOLUTELY\s+reply_timestamp=\S+;serial\S*\s+\S+:\d+\s+$($client.Id)$"
        }
    }

    Context 'List view' {
        It 'shows the parameters one per line and the wire text' {
            $text = ConvertFrom-SdMessage 'PING b=2;a=1' | Format-List | Out-String -Width 100
            $text | Should -Match 'Parameters : a = 1\s+b = 2'
            $text | Should -Match 'Text\s+: PING a=1;b=2'
        }
    }
}

Describe 'Get-SdClient' {
    Context 'Default view' {
        It 'shows id, target, state, TLS, counts and why it closed' {
            $a, $b = New-SdSocketPair
            $b | Disconnect-SdClient
            $lines = Get-TableLine (Get-SdClient)
            Assert-Columns $lines 'Id', 'Target', 'Connected', 'Tls', 'Sent', 'Received', 'CloseReason'
            $lines[2] | Should -Match "^$($client.Id)\s+$([regex]::Escape($endpoint.ToString()))\s+True\s+1\s+2$"
            $lines[3] | Should -Match "^$($a.Id)\s+socketpair:Stream\s+(True|False)\s+0\s+0"
            $a | Disconnect-SdClient
        }
    }
}
