# The helpers every end-to-end test relies on, checked against real processes (/bin/sh, sleep) and a
# real TCP peer (socat), so that a failure in a product test is never the harness's.

BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function Test-ProcessAlive([int] $ProcessId) {
        $stat = Get-Content -Raw "/proc/$ProcessId/stat" -ErrorAction Ignore
        # proc(5): the state follows the parenthesised command name.
        $stat -and $stat.Substring($stat.LastIndexOf(')') + 2, 1) -ne 'Z'
    }

    function Test-TcpConnect([int] $Port) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try {
            $client.Connect([System.Net.IPAddress]::Loopback, $Port)
            $true
        }
        catch [System.Net.Sockets.SocketException] {
            $false
        }
        finally {
            $client.Dispose()
        }
    }
}

Describe 'Wait-SdCondition' {
    It 'returns the first true value of the condition' {
        $script:calls = 0
        $value = Wait-SdCondition -Because 'the third call' -TimeoutSeconds 5 -IntervalMilliseconds 10 -Condition {
            $script:calls++
            if ($script:calls -ge 3) { "call $script:calls" }
        }
        $value | Should -Be 'call 3'
    }

    It 'throws with the reason and the last observed value on timeout' {
        { Wait-SdCondition -Because 'the moon turns blue' -TimeoutSeconds 0.2 -Condition { 0 } } |
            Should -Throw -ExpectedMessage "Timed out after * s waiting until the moon turns blue. Last observed: the condition returned '0'"
    }

    It 'reports the -State script output on timeout' {
        { Wait-SdCondition -Because 'ready' -TimeoutSeconds 0.2 -Condition { $false } -State { 'queue length 7' } } |
            Should -Throw -ExpectedMessage '*Last observed: queue length 7'
    }

    It 'reports the error of a condition that keeps throwing' {
        { Wait-SdCondition -Because 'ready' -TimeoutSeconds 0.2 -Condition { throw 'connection refused' } } |
            Should -Throw -ExpectedMessage '*the condition threw: connection refused'
    }
}

Describe 'Get-SdFreeTcpPort' {
    It 'returns a port that can be bound on <Address>' -ForEach @(
        @{ Address = '127.0.0.1' }
        @{ Address = '::1' }
    ) {
        $ip = [System.Net.IPAddress]::Parse($Address)
        $port = Get-SdFreeTcpPort -Address $ip
        $port | Should -BeGreaterThan 0
        $port | Should -BeLessOrEqual 65535
        $listener = [System.Net.Sockets.TcpListener]::new($ip, $port)
        { $listener.Start() } | Should -Not -Throw
        $listener.Stop()
    }
}

Describe 'Start-SdProcess' {
    Context 'A short program' {
        BeforeAll {
            $script:proc = Start-SdProcess -Name 'printer' -OutputDirectory (Join-Path $TestDrive 'printer') -FilePath '/bin/sh' -ArgumentList @(
                '-c', 'printf "<%s>\n" "$@"; echo "to stderr" >&2; exit 3', 'sh', 'two words', 'it''s "quoted"', ''
            )
            Wait-SdCondition -Because 'the program exits' -Condition { $proc.Process.HasExited } -State { Get-SdProcessOutput $proc -Stream All }
        }
        AfterAll {
            Stop-SdProcess $proc
        }

        It 'passes every argument through unchanged' {
            Get-SdProcessOutput $proc | Should -BeExactly "<two words>`n<it's `"quoted`">`n<>`n"
        }

        It 'keeps standard error apart' {
            Get-SdProcessOutput $proc -Stream Error | Should -BeExactly "to stderr`n"
        }

        It 'keeps the exit code' {
            $proc.Process.WaitForExit()
            $proc.Process.ExitCode | Should -Be 3
        }

        It 'labels both streams with -Stream All' {
            Get-SdProcessOutput $proc -Stream All | Should -Match '(?s)printer \(pid \d+, exited with 3\) stdout.*two words.*stderr.*to stderr'
        }
    }

    Context 'A TCP peer with children (socat)' {
        BeforeAll {
            $script:port = Get-SdFreeTcpPort
            $script:socat = Start-SdProcess -Name 'socat' -OutputDirectory (Join-Path $TestDrive 'socat') -FilePath 'socat' -ArgumentList @(
                "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork", 'EXEC:cat'
            )
            Wait-SdCondition -Because "socat listens on 127.0.0.1:$port" -Condition { Test-TcpConnect $port } -State { Get-SdProcessOutput $socat -Stream All }
        }
        AfterAll {
            Stop-SdProcess $socat
        }

        It 'talks to a real peer' {
            $client = [System.Net.Sockets.TcpClient]::new()
            try {
                $client.Connect([System.Net.IPAddress]::Loopback, $port)
                $stream = $client.GetStream()
                $stream.ReadTimeout = 10000
                $writer = [System.IO.StreamWriter]::new($stream)
                $writer.NewLine = "`n"
                $writer.AutoFlush = $true
                $reader = [System.IO.StreamReader]::new($stream)
                $writer.WriteLine('ALIVE serial=1')
                $reader.ReadLine() | Should -BeExactly 'ALIVE serial=1'
            }
            finally {
                $client.Dispose()
            }
        }

        It 'Stop-SdProcess ends the process and its children' {
            # Hold a connection open so that socat has a forked child when it is stopped.
            $client = [System.Net.Sockets.TcpClient]::new()
            try {
                $client.Connect([System.Net.IPAddress]::Loopback, $port)
                $childrenFile = "/proc/$($socat.Id)/task/$($socat.Id)/children"
                $children = Wait-SdCondition -Because 'socat forks a child for the connection' -Condition {
                    (Get-Content -Raw $childrenFile).Trim()
                }
                Stop-SdProcess $socat
                $socat.Process.HasExited | Should -BeTrue
                foreach ($child in -split $children) {
                    # Gone, or a zombie: dead and waiting for init, its new parent, to reap it.
                    Wait-SdCondition -Because "child $child of socat is dead" -Condition { -not (Test-ProcessAlive $child) } -State {
                        Get-Content -Raw "/proc/$child/stat" -ErrorAction Ignore
                    }
                }
                Test-TcpConnect $port | Should -BeFalse
            }
            finally {
                $client.Dispose()
            }
        }
    }
}

Describe 'Stop-SdProcess' {
    It 'sends SIGTERM first with -GraceSeconds' {
        $sleeper = Start-SdProcess -Name 'sleeper' -OutputDirectory (Join-Path $TestDrive 'sleeper') -FilePath 'sleep' -ArgumentList '60'
        try {
            Stop-SdProcess $sleeper -GraceSeconds 10
            # 128 + 15: ended by SIGTERM rather than SIGKILL (128 + 9).
            $sleeper.Process.ExitCode | Should -Be 143
        }
        finally {
            Stop-SdProcess $sleeper
        }
    }

    It 'accepts a process that has already exited' {
        $done = Start-SdProcess -Name 'done' -OutputDirectory (Join-Path $TestDrive 'done') -FilePath '/bin/true'
        Wait-SdCondition -Because '/bin/true exits' -Condition { $done.Process.HasExited }
        { Stop-SdProcess $done } | Should -Not -Throw
    }
}

Describe 'Invoke-PesterFile.ps1' {
    Context 'a file with a passing test and a failing one whose message holds an escape character' {
        BeforeAll {
            # The escape character once made Pester's NUnit report unwritable; Pester then returned no
            # result, and the runner counted nothing as failed.
            $fake = Join-Path $TestDrive 'Fake.Tests.ps1'
            Set-Content -Path $fake -Value @'
Describe 'fake' {
    It 'passes' { 1 | Should -Be 1 }
    It 'fails with an escape character in its message' { "red `e[31mtext" | Should -Be 'plain' }
}
'@
            $pwsh = (Get-Process -Id $PID).Path
            $runner = Join-Path $PSScriptRoot '../../tools/Invoke-PesterFile.ps1'
            $script:counts = Join-Path $TestDrive 'counts.json'
            $arguments = @('-NoProfile', '-NonInteractive', '-File', $runner, '-Path', $fake,
                '-PesterModule', (Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'),
                '-CountsPath', $counts, '-TestResultPath', (Join-Path $TestDrive 'fake.xml'))
            if ((Split-Path -Leaf $pwsh) -like 'dotnet*') { $arguments = @('pwsh') + $arguments }
            $script:run = Start-SdProcess -FilePath $pwsh -ArgumentList $arguments -OutputDirectory $TestDrive -Name runner -WorkingDirectory (Join-Path $PSScriptRoot '../..')
            Wait-SdCondition -TimeoutSeconds 120 -Because 'the runner finishes' -State { Get-SdProcessOutput $run -Stream All } -Condition { $run.Process.HasExited }
        }

        AfterAll {
            Stop-SdProcess $run
        }

        It 'exits 1 and counts one passed, one failed' {
            $run.Process.ExitCode | Should -Be 1 -Because (Get-SdProcessOutput $run -Stream All)
            $written = Get-Content -Raw $counts | ConvertFrom-Json
            $written.Passed | Should -Be 1
            $written.Failed | Should -Be 1
        }
    }
}
