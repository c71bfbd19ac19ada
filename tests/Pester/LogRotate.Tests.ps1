# `sd listen --log-file` under the real logrotate(8): postrotate sends LOG to the listener's control
# socket; the listener reopens its file and forwards LOG to both dispatchers, which reopen theirs.

BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force
    $script:logrotate = (Get-Command logrotate -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    if (-not $logrotate) { $script:logrotate = '/usr/sbin/logrotate' }

    # Runs one traced conversation step (HI, then DAD marker=... -> CLIMB) on a new connection.
    function Invoke-Marked([int] $Port, [string] $Marker) {
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port)
        try {
            $stream = $c.GetStream()
            $reader = [System.IO.StreamReader]::new($stream)
            $writer = [System.IO.StreamWriter]::new($stream)
            $writer.NewLine = "`n"
            $writer.AutoFlush = $true
            foreach ($expected in 'HI', 'CLIMB') {
                $read = $reader.ReadLineAsync()
                if (-not $read.Wait(10000)) { throw "no $expected within 10 s" }
                if ($read.Result -ne $expected) { throw "expected $expected, got '$($read.Result)'" }
                if ($expected -eq 'HI') { $writer.WriteLine("DAD marker=$Marker") }
            }
        }
        finally { $c.Dispose() }
    }

    function Read-Lines([string] $Path) {
        $file = [System.IO.File]::Open($Path, 'Open', 'Read', 'ReadWrite, Delete')
        try { @([System.IO.StreamReader]::new($file).ReadToEnd() -split "`n" | Where-Object { $_ }) } finally { $file.Dispose() }
    }
}

Describe 'sd listen --log-file' {
    Context 'rotated by logrotate -f with postrotate sd signal LOG' {
        BeforeAll {
            $script:logs = Join-Path $TestDrive 'logs'
            $null = New-Item -ItemType Directory -Path $logs
            $script:listenerLog = Join-Path $logs 'listener.log'
            $script:listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name rotated -ExtraArguments '--log-file', $listenerLog, '--trace'
            $script:dispatcherPids = @((Get-SdTestStatus -Control $listener.Control).Dispatchers.pid | Sort-Object)
            $script:dispatcherLogs = @{}
            foreach ($id in $dispatcherPids) { $dispatcherLogs[$id] = Join-Path $logs "listener.dispatcher-$id.log" }

            # Each dispatcher traces a line with the marker: round-robin sends one of two connections to each.
            $count = @{ Before = 0; After = 0 }
            Wait-SdCondition -TimeoutSeconds 20 -Because 'each dispatcher logged a BEFORE conversation' -State { Get-ChildItem $logs | Out-String } -Condition {
                Invoke-Marked -Port $listener.Port -Marker "before$((++$count.Before))"
                @($dispatcherPids | Where-Object { (Test-Path $dispatcherLogs[$_]) -and ((Read-Lines $dispatcherLogs[$_]) -match 'DAD marker=before') }).Count -eq 2
            }

            $script:state = Join-Path $TestDrive 'logrotate.state'
            $script:config = Join-Path $TestDrive 'logrotate.conf'
            Set-Content -Path $config -Value @"
"$listenerLog" "$logs/listener.dispatcher-*.log" {
    rotate 3
    missingok
    nocompress
    sharedscripts
    postrotate
        "$env:SD_BIN" signal "$($listener.Control)" LOG
    endscript
}
"@
            $script:rotation = & $logrotate -f -s $state $config 2>&1
            $script:rotationExit = $LASTEXITCODE

            # LOG travels on: wait until every process has written its first line to its new file.
            Wait-SdCondition -TimeoutSeconds 20 -Because 'the listener and both dispatchers reopened their files' -State { Get-ChildItem $logs | Out-String } -Condition {
                @(@($listenerLog) + @($dispatcherLogs.Values) | Where-Object { (Test-Path $_) -and ((Read-Lines $_) -match 'reopened') }).Count -eq 3
            }
            Wait-SdCondition -TimeoutSeconds 20 -Because 'each dispatcher logged an AFTER conversation' -State { Get-ChildItem $logs | Out-String } -Condition {
                Invoke-Marked -Port $listener.Port -Marker "after$((++$count.After))"
                @($dispatcherPids | Where-Object { (Read-Lines $dispatcherLogs[$_]) -match 'DAD marker=after' }).Count -eq 2
            }
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'runs logrotate without an error' {
            $rotationExit | Should -Be 0 -Because "logrotate said: $rotation"
        }

        It 'rotates the listener file, which ends with the last lines before LOG' {
            $old = Read-Lines "$listenerLog.1"
            ($old -match 'connection \d+ from 127\.0\.0\.1:\d+ handed to dispatcher').Count | Should -BeGreaterThan 1
            $old[-1] | Should -Match "info: SocketDispatcher\.Listener\[603\] pid $($listener.Id): closing log file .*listener\.log to reopen it \(LOG on control endpoint"
            $old -match 'reopened' | Should -BeNullOrEmpty
        }

        It 'makes the listener write to a new file, starting where the old one ended' {
            $new = Read-Lines $listenerLog
            $new[0] | Should -Match "info: SocketDispatcher\.Listener\[602\] pid $($listener.Id): log file .*listener\.log reopened"
            ($new -match 'handed to dispatcher').Count | Should -BeGreaterThan 0 -Because 'the AFTER conversations were handed after the reopen'
            $new -match 'closing log file' | Should -BeNullOrEmpty
        }

        It 'rotates each dispatcher file, which ends with its last lines before LOG' {
            foreach ($id in $dispatcherPids) {
                $old = Read-Lines "$($dispatcherLogs[$id]).1"
                $old -match 'in \[\d+\] 127\.0\.0\.1:\d+: DAD marker=before\d+' | Should -Not -BeNullOrEmpty -Because "dispatcher $id traced a BEFORE conversation"
                $old[-1] | Should -Match "SocketDispatcher\.Dispatcher\[603\] pid ${id}: closing log file .*listener\.dispatcher-$id\.log to reopen it \(LOG from the listener\)"
                $old -match 'marker=after' | Should -BeNullOrEmpty
            }
        }

        It 'makes each dispatcher write to a new file from the reopen on' {
            foreach ($id in $dispatcherPids) {
                $new = Read-Lines $dispatcherLogs[$id]
                $new[0] | Should -Match "SocketDispatcher\.Dispatcher\[602\] pid ${id}: log file .* reopened \(LOG from the listener\)"
                $new -match 'DAD marker=after\d+' | Should -Not -BeNullOrEmpty
                $new -match 'marker=before' | Should -BeNullOrEmpty
            }
        }

        It 'keeps logging to the console as well' {
            (Get-SdProcessOutput $listener -Stream Error) | Should -Match 'log file .*listener\.log reopened'
        }
    }

    Context 'a log file that cannot be opened' {
        It 'refuses to start with one line and exit code 2' {
            $output = & $env:SD_BIN listen --endpoint 'tcp://127.0.0.1:0' --dispatchers 0 --runtime-dir (Join-Path $TestDrive 'nolog.run') --log-file (Join-Path $TestDrive 'no/such/folder/x.log') 2>&1
            $LASTEXITCODE | Should -Be 2
            @($output).Count | Should -Be 1
            "$output" | Should -Match 'cannot open the log file .*x\.log: its folder does not exist'
        }
    }
}

Describe 'sd signal LOG' {
    Context 'a listener without --log-file' {
        BeforeAll {
            $script:listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name nofile -Dispatchers 1
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'logs that there is no file to reopen, in the listener and its dispatcher, and goes on' {
            & $env:SD_BIN signal $listener.Control LOG_ROTATE
            $LASTEXITCODE | Should -Be 0
            Wait-SdCondition -Because 'both processes say there is no log file' -State { Get-SdProcessOutput $listener -Stream Error } -Condition {
                @((Get-SdProcessOutput $listener -Stream Error) -split "`n" -match 'asks to reopen the log file, but there is none').Count -eq 2
            }
            (Get-SdTestStatus -Control $listener.Control).Dispatchers.Count | Should -Be 1
        }
    }
}
