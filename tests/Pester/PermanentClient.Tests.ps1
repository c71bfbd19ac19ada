# Connect-SdClient -Permanent against a real `sd listen` that starts late and restarts (issue 4).

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force

    function Start-LateListener([int] $Port, [string] $Name) {
        $runtime = Join-Path $TestDrive "$Name.run"
        $process = Start-SdProcess -OutputDirectory $TestDrive -Name $Name -ArgumentList @(
            'listen', '--endpoint', "tcp://127.0.0.1:$Port", '--dispatchers', '1', '--runtime-dir', $runtime, '--drain-timeout', '1s')
        $process | Add-Member -NotePropertyName Control -NotePropertyValue "unix:$runtime/control.sock" -PassThru
    }

    # The next messages that are not SD_RECONNECT_ATTEMPT events, by command.
    function Receive-Commands($Client, [int] $Count, [string] $Timeout = '20s') {
        $Client | Receive-SdMessage -Count $Count -Timeout $Timeout -Command SD_CONNECTED, SD_DISCONNECTED, HI, CLIMB, WHO, BYE | ForEach-Object Command
    }
}

Describe 'Connect-SdClient -Permanent' {
    Context 'Started 3 s before its server' {
        BeforeAll {
            $script:port = Get-SdFreeTcpPort
            $script:client = Connect-SdClient "tcp://127.0.0.1:$port" -Permanent -PauseDuration 100ms, 200ms, 300ms
            # Sent while nothing listens: queued, in this order.
            foreach ($command in 'DAD', 'TOP', 'MOM') { $client | Send-SdMessage -Command $command }
            $script:queuedBefore = $client.Queued
            $script:attempts = @($client | Receive-SdMessage -Command SD_RECONNECT_ATTEMPT -Count 3 -Timeout 10s)
            Start-Sleep -Seconds 3   # the gap the issue asks for; readiness below is polled
            $script:listener = Start-LateListener -Port $port -Name late
        }

        AfterAll {
            Get-SdClient | Disconnect-SdClient
            Stop-SdProcess $listener -GraceSeconds 5
        }

        It 'returns at once, not connected, with the messages queued' {
            $client | Should -BeOfType ([SocketDispatcher.SdPermanentClient])
            $queuedBefore | Should -Be 3
        }

        It 'reports each reconnect attempt as an event, counting up' {
            $attempts.Parameters.attempt | Should -Be @('1', '2', '3')
            $attempts[0].Parameters['endpoint'] | Should -Be "tcp://127.0.0.1:$port"
        }

        It 'connects once the server is up and sends the queued messages in order' {
            Receive-Commands $client 5 | Should -Be @('SD_CONNECTED', 'HI', 'CLIMB', 'WHO', 'BYE')
            $client.IsConnected | Should -BeTrue
            $client.Queued | Should -Be 0
        }

        It 'reconnects to a restarted server within the pause list and delivers what was sent meanwhile' {
            Stop-SdProcess $listener -GraceSeconds 5
            Receive-Commands $client 1 | Should -Be 'SD_DISCONNECTED'
            $client | Send-SdMessage -Command DAD
            $script:listener = Start-LateListener -Port $port -Name restarted
            Receive-Commands $client 3 | Should -Be @('SD_CONNECTED', 'HI', 'CLIMB')
            $client.Connections | Should -Be 2
        }
    }

    Context 'A full queue' {
        BeforeAll {
            $script:client = Connect-SdClient "tcp://127.0.0.1:$(Get-SdFreeTcpPort)" -Permanent -PauseDuration 1s -QueueCapacity 2
        }

        AfterAll {
            $client | Disconnect-SdClient
        }

        It 'refuses the message past the capacity with QueueFull and keeps the others' {
            $client | Send-SdMessage -Command A
            $client | Send-SdMessage -Command B
            { $client | Send-SdMessage -Command C -ErrorAction Stop } | Should -Throw -ErrorId 'QueueFull,SocketDispatcher.PowerShell.SendSdMessageCommand'
            $client.Queued | Should -Be 2
        }
    }

    Context 'Bad use' {
        It 'refuses -PauseDuration without -Permanent' {
            { Connect-SdClient tcp://127.0.0.1:1 -PauseDuration 1s } | Should -Throw -ErrorId 'PermanentMissing,SocketDispatcher.PowerShell.ConnectSdClientCommand'
        }

        It 'refuses a bad pause with a one-line error' {
            { Connect-SdClient tcp://127.0.0.1:1 -Permanent -PauseDuration 'soon' } | Should -Throw -ErrorId '*,SocketDispatcher.PowerShell.ConnectSdClientCommand'
        }
    }
}
