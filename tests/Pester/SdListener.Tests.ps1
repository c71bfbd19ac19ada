# Get-SdListener, Stop-SdListener and the -AsJob form of Start-SdListener and Start-SdDispatcher:
# listeners of this process (jobs) and of another one (`sd listen`, found by its control socket under
# $XDG_RUNTIME_DIR/sd, which this file points into $TestDrive). Runs in its own `dotnet pwsh` process.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force

    # Every listener of this file, in this process or not, makes its runtime directory here.
    $script:xdg = Join-Path $TestDrive 'xdg'
    $null = New-Item -ItemType Directory -Path $xdg
    $env:XDG_RUNTIME_DIR = $xdg
    $script:runtimeBase = Join-Path $xdg 'sd'

    function Test-ProcessAlive([int] $Id) { Test-Path "/proc/$Id" }
}

AfterAll {
    Get-Job | Remove-Job -Force
}

Describe 'Get-SdListener' {
    Context 'A listener in another process, found by its control socket' {
        BeforeAll {
            $script:logFile = Join-Path $TestDrive 'other.log'
            $script:other = Start-SdProcess -OutputDirectory $TestDrive -Name other -ArgumentList @(
                'listen', '--endpoint', 'tcp://127.0.0.1:0', '--dispatchers', '1', '--name', 'other', '--log-file', $logFile)
            $script:control = "unix:$runtimeBase/other/control.sock"
            Wait-SdCondition -TimeoutSeconds 30 -Because 'sd listen has a ready dispatcher' -State { Get-SdProcessOutput $other -Stream All } -Condition {
                (Test-Path "$runtimeBase/other/control.sock") -and @((Get-SdTestStatus -Control $control).Dispatchers | Where-Object state -EQ ready).Count -eq 1
            }
        }

        AfterAll {
            Stop-SdProcess $other -GraceSeconds 5
        }

        It 'finds it without being told where' {
            $found = @(Get-SdListener -Name other)
            $found | Should -HaveCount 1
            $found[0] | Should -BeOfType ([SocketDispatcher.SdListenerInfo])
            $found[0].ProcessId | Should -Be $other.Id
            $found[0].State | Should -Be 'running'
            $found[0].Control.ToString() | Should -Be $control
            $found[0].Endpoints[0].Kind | Should -Be 'Tcp'
            $found[0].Dispatchers | Should -HaveCount 1
            $found[0].Dispatchers[0] | Should -BeOfType ([SocketDispatcher.SdDispatcherInfo])
        }

        It 'skips a control socket left behind by a listener that was killed' {
            $stale = New-Item -ItemType Directory -Path "$runtimeBase/stale"
            try {
                # Nothing listens on a plain file: connecting to it is refused, as to a dead listener's socket.
                $null = New-Item -ItemType File -Path "$stale/control.sock"
                $found = @(Get-SdListener -ErrorVariable failures)
                $failures | Should -BeNullOrEmpty
                $found.Name | Should -Contain 'other'
                $found.Name | Should -Not -Contain 'stale'
            }
            finally {
                Remove-Item -Recurse -Force $stale
            }
        }

        It 'asks the control endpoint given with -Control' {
            (Get-SdListener -Control $control).Name | Should -Be 'other'
        }

        It 'sends LOG to its control endpoint when piped to Send-SdMessage' {
            Get-SdListener -Name other | Send-SdMessage -Command LOG
            Wait-SdCondition -Because 'the listener reopened its log file' -State { Get-Content -Raw $logFile } -Condition {
                (Get-Content -Raw $logFile) -match 'reopened \(LOG on control endpoint'
            }
        }

        It 'leaves it running with Stop-SdListener -WhatIf' {
            # "What if:" goes to the host, not to a stream: run the line in a real pwsh and read its output.
            $said = & ([Environment]::ProcessPath) "$PSHOME/pwsh.dll" -NoProfile -NonInteractive -Command (
                "Import-Module '$env:SD_MODULE'; Get-SdListener -Name other | Stop-SdListener -WhatIf") 2>&1 | Out-String
            $said | Should -Match 'What if: .*QUIT.*other \(pid \d+, running\)'
            (Get-SdListener -Name other).State | Should -Be 'running'
        }
    }

    Context 'Errors' {
        It 'reports a control endpoint nobody answers on as ConnectionRefused, and goes on' {
            $result = Get-SdListener -Control "unix:$TestDrive/none.sock", "unix:$TestDrive/none2.sock" -ErrorVariable failures -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $failures | Should -HaveCount 2
            $failures[0].FullyQualifiedErrorId | Should -Be 'ConnectionRefused,SocketDispatcher.PowerShell.GetSdListenerCommand'
            $failures[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            $failures[0].TargetObject.ToString() | Should -Be "unix:$TestDrive/none.sock"
        }

        It 'reports a name no listener has as ListenerNotFound' {
            { Get-SdListener -Name 'no-such-listener' -ErrorAction Stop } |
                Should -Throw -ErrorId 'ListenerNotFound,SocketDispatcher.PowerShell.GetSdListenerCommand'
        }

        It 'reports a socket that is not a control endpoint as StatusInvalid' {
            $pair = $null
            $echo = Start-SdListener -Endpoint "unix:$TestDrive/echo.sock" -Dispatchers 1 -Handler echo -Name echo -AsJob
            try {
                # An echo server sends STATUS back as it came, without the fields of an answer.
                { Get-SdListener -Control "unix:$TestDrive/echo.sock" -ErrorAction Stop } |
                    Should -Throw -ErrorId 'StatusInvalid,SocketDispatcher.PowerShell.GetSdListenerCommand'
            }
            finally {
                $echo | Remove-Job -Force
            }
        }
    }
}

Describe 'Stop-SdListener' {
    Context 'A listener in another process, stopped with -Wait' {
        BeforeAll {
            $script:victim = Start-SdProcess -OutputDirectory $TestDrive -Name victim -ArgumentList @(
                'listen', '--endpoint', 'tcp://127.0.0.1:0', '--dispatchers', '1', '--name', 'victim')
            Wait-SdCondition -TimeoutSeconds 30 -Because 'sd listen made its control socket' -State { Get-SdProcessOutput $victim -Stream All } -Condition {
                Test-Path "$runtimeBase/victim/control.sock"
            }
            # Right after start: its dispatcher is spawned but may not have joined yet.
            $script:dispatcherPids = @(Wait-SdCondition -Because 'the listener spawned its dispatcher' -Condition {
                    @(Get-SdListener -Name victim).Dispatchers | ForEach-Object ProcessId
                })
            $script:last = Get-SdListener -Name victim | Stop-SdListener -Wait -Timeout 30s -PassThru -Confirm:$false
        }

        AfterAll {
            Stop-SdProcess $victim
        }

        It 'returns once the listener process has exited 0' {
            $victim.Process.WaitForExit(5000) | Should -BeTrue
            $victim.Process.ExitCode | Should -Be 0
        }

        It 'leaves neither dispatcher nor runtime directory behind' {
            $dispatcherPids | Should -Not -BeNullOrEmpty
            $dispatcherPids | Where-Object { Test-ProcessAlive $_ } | Should -BeNullOrEmpty
            "$runtimeBase/victim" | Should -Not -Exist
        }

        It 'writes the snapshot taken before the stop with -PassThru' {
            $last.Name | Should -Be 'victim'
            $last.State | Should -Be 'running'
        }
    }

    Context 'Errors' {
        It 'ends with ConnectionRefused when -Control reaches no listener' {
            { Stop-SdListener -Control "unix:$TestDrive/none.sock" -Confirm:$false } |
                Should -Throw -ErrorId 'ConnectionRefused,SocketDispatcher.PowerShell.StopSdListenerCommand'
        }

        It 'reports a name no listener has as ListenerNotFound' {
            { Stop-SdListener -Name 'no-such-listener' -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'ListenerNotFound,SocketDispatcher.PowerShell.StopSdListenerCommand'
        }
    }
}

Describe 'Start-SdListener -AsJob' {
    Context 'A job stopped with Stop-Job' {
        BeforeAll {
            $script:job = Start-SdListener -Endpoint 'tcp://127.0.0.1:0' -Dispatchers 1 -Name jobbed -AsJob
            $script:info = Get-SdListener -Name jobbed
            $client = Connect-SdClient "tcp://127.0.0.1:$($info.Endpoints[0].Port)"
            $script:greeting = Receive-SdMessage -Client $client -Command HI
            $client | Disconnect-SdClient
            Wait-SdCondition -Because 'the job wrote the handoff' -Condition { $job.HasMoreData }
            $script:listed = Get-Job -Id $job.Id
            Stop-Job -Job $job
            # Receive-Job takes the records it writes out of the job: look at the log first.
            $script:verbose = $job.Verbose | ForEach-Object Message
            $script:received = @(Receive-Job -Job $job -Wait)
        }

        AfterAll {
            # The last test removes it; if that failed, do it here.
            Get-Job -Id $job.Id -ErrorAction Ignore | Remove-Job -Force
        }

        It 'is a job of this session, running once its dispatchers are ready' {
            $job | Should -BeOfType ([SocketDispatcher.PowerShell.SdServiceJob])
            $job | Should -BeOfType ([System.Management.Automation.Job])
            $listed.PSJobTypeName | Should -Be 'SdListenerJob'
            $listed.Name | Should -Be 'jobbed'
            $info.ProcessId | Should -Be $PID
            $info.Dispatchers.State | Should -Be 'ready'
            $greeting.Command | Should -Be 'HI'
        }

        It 'writes its dispatchers'' log to the job''s Verbose stream, not to the console' {
            $lines = $verbose -join "`n"
            $lines | Should -Match "Listener: dispatcher $($info.Dispatchers[0].ProcessId): dispatcher $($info.Dispatchers[0].ProcessId): connected to unix:"
            $lines | Should -Match "Listener: dispatcher $($info.Dispatchers[0].ProcessId): dispatcher $($info.Dispatchers[0].ProcessId): stopping \(EXIT from the listener\)"
            $lines | Should -Not -Match 'info: SocketDispatcher.Dispatcher\['
        }

        It 'streams the SdHandoff objects to Receive-Job' {
            $received | Should -HaveCount 1
            $received[0] | Should -BeOfType ([SocketDispatcher.SdHandoff])
            $received[0].DispatcherPid | Should -Be $info.Dispatchers[0].ProcessId
        }

        It 'ends Stopped, leaving no process and no socket file' {
            $job.State | Should -Be 'Stopped'
            Test-ProcessAlive $info.Dispatchers[0].ProcessId | Should -BeFalse
            "$runtimeBase/jobbed" | Should -Not -Exist
            Get-SdListener -Name jobbed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'is removed by Remove-Job' {
            Remove-Job -Job $job
            Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    Context 'A job stopped by QUIT on its control endpoint' {
        It 'ends Completed, with its log in the Verbose stream' {
            $job = Start-SdListener -Endpoint 'tcp://127.0.0.1:0' -Dispatchers 0 -Name quitted -AsJob
            try {
                Get-SdListener -Name quitted | Send-SdMessage -Command QUIT
                $job | Wait-Job -Timeout 30 | Should -Not -BeNullOrEmpty
                $job.State | Should -Be 'Completed'
                ($job.Verbose.Message -join "`n") | Should -Match 'QUIT on control endpoint'
            }
            finally {
                $job | Remove-Job -Force
            }
        }
    }

    Context 'Errors' {
        It 'ends with AddressInUse before any job is made when the endpoint is taken' {
            $taken = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $taken.Start()
            try {
                { Start-SdListener -Endpoint "tcp://127.0.0.1:$($taken.LocalEndpoint.Port)" -Dispatchers 0 -Name taken -AsJob } |
                    Should -Throw -ErrorId 'AddressInUse,SocketDispatcher.PowerShell.StartSdListenerCommand'
                Get-Job -Name taken -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            }
            finally {
                $taken.Stop()
            }
        }
    }
}

Describe 'Start-SdDispatcher -AsJob' {
    Context 'A dispatcher job with a scriptblock handler, serving a listener job' {
        BeforeAll {
            $script:listenerJob = Start-SdListener -Endpoint 'tcp://127.0.0.1:0' -Dispatchers 0 -Name byhand -AsJob
            $script:info = Get-SdListener -Name byhand
            $script:dispatcherJob = Start-SdDispatcher -Handoff $info.Handoff -AsJob -Handler @{
                PING = { param($m) $m.Reply('PONG'); [pscustomobject]@{ Seen = $m.Command } }
            }
            Wait-SdCondition -TimeoutSeconds 30 -Because 'the dispatcher joined' -State { ($dispatcherJob | Format-List * | Out-String) + ($dispatcherJob.Error | Out-String) } -Condition {
                @((Get-SdListener -Name byhand).Dispatchers | Where-Object State -EQ ready).Count -eq 1
            }
            $client = Connect-SdClient "tcp://127.0.0.1:$($info.Endpoints[0].Port)"
            $client | Send-SdMessage -Command PING
            $script:answer = Receive-SdMessage -Client $client -Timeout 10s
            $client | Disconnect-SdClient
            Wait-SdCondition -Because 'the handler wrote its object' -Condition { $dispatcherJob.Output.Count -ge 1 }
            Stop-Job -Job $dispatcherJob
        }

        AfterAll {
            $dispatcherJob, $listenerJob | Remove-Job -Force
        }

        It 'is a dispatcher job whose scriptblock answers' {
            $dispatcherJob.PSJobTypeName | Should -Be 'SdDispatcherJob'
            $answer.Command | Should -Be 'PONG'
        }

        It 'streams what the handler writes that is not a message' {
            (Receive-Job -Job $dispatcherJob).Seen | Should -Be 'PING'
        }

        It 'ends Stopped with Stop-Job, and leaves the listener' {
            $dispatcherJob.State | Should -Be 'Stopped'
            $dispatcherJob.Error | Should -BeNullOrEmpty
            Wait-SdCondition -Because 'the listener saw the dispatcher leave' -Condition { @((Get-SdListener -Name byhand).Dispatchers).Count -eq 0 }
            $listenerJob.State | Should -Be 'Running'
        }
    }

    Context 'Errors' {
        It 'fails the job with HandoffEndpointInvalid, as the foreground command ends' {
            $job = Start-SdDispatcher -Handoff 'tcp://127.0.0.1:1' -Handler echo -AsJob
            try {
                $job | Wait-Job -Timeout 30 | Should -Not -BeNullOrEmpty
                $job.State | Should -Be 'Failed'
                $job.Error[0].FullyQualifiedErrorId | Should -Be 'HandoffEndpointInvalid,SocketDispatcher.PowerShell.StartSdDispatcherCommand'
            }
            finally {
                $job | Remove-Job -Force
            }
        }
    }
}
