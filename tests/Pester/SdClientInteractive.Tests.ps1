# `sd client EP` as seed 000's myclnt: lines typed on standard input become messages, what arrives is
# printed with a timestamp, and Ctrl+D (end of input) or EXIT ends it. Standard input is a real pipe.

BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force
    $script:listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name interactive -Dispatchers 1

    # Starts `sd client` with its standard input, output and error as pipes this session holds.
    function Start-Interactive([string] $Endpoint) {
        $info = [System.Diagnostics.ProcessStartInfo]::new($env:SD_BIN)
        foreach ($a in 'client', $Endpoint) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        $process.StandardInput.AutoFlush = $true
        [pscustomobject]@{ Process = $process; Errors = $process.StandardError.ReadToEndAsync() }
    }

    function Read-OutputLine($Run, [double] $TimeoutSeconds = 10) {
        $read = $Run.Process.StandardOutput.ReadLineAsync()
        if (-not $read.Wait([int] ($TimeoutSeconds * 1000))) { throw "sd client printed no line within $TimeoutSeconds s" }
        $read.Result
    }

    function Stop-Interactive($Run) {
        if ($Run -and -not $Run.Process.HasExited) { $Run.Process.Kill($true); $null = $Run.Process.WaitForExit(10000) }
    }
}

AfterAll {
    Stop-SdProcess $listener
}

Describe 'sd client' {
    Context 'lines on standard input, then end of input (Ctrl+D)' {
        BeforeAll {
            $script:run = Start-Interactive $listener.Endpoint
        }

        AfterAll {
            Stop-Interactive $run
        }

        It 'prints the greeting with a timestamp' {
            Read-OutputLine $run | Should -Match '^\d\d:\d\d:\d\d\.\d{3} HI$'
        }

        It 'sends each line as a message and prints each answer' {
            $run.Process.StandardInput.WriteLine('DAD')
            Read-OutputLine $run | Should -Match '^\d\d:\d\d:\d\d\.\d{3} CLIMB$'
            $run.Process.StandardInput.WriteLine('ALIVE serial=5')
            Read-OutputLine $run | Should -Match '^\d\d:\d\d:\d\d\.\d{3} ABSOLUTELY reply_timestamp=\d+\.\d{9};serial=5$'
        }

        It 'says why a line is not a message, sends nothing, and goes on' {
            $run.Process.StandardInput.WriteLine('PING 1a=1')
            $run.Process.StandardInput.WriteLine('TOP')
            Read-OutputLine $run | Should -Match '^\d\d:\d\d:\d\d\.\d{3} WHO$'
        }

        It 'ends with exit code 0 at the end of input' {
            $run.Process.StandardInput.Close()
            $run.Process.WaitForExit(10000) | Should -BeTrue
            $run.Process.ExitCode | Should -Be 0
            $run.Errors.Wait(10000) | Should -BeTrue
            $run.Errors.Result | Should -Match "sd: not a message: .*digit"
            @($run.Errors.Result.Trim() -split "`n").Count | Should -Be 1 -Because $run.Errors.Result
        }
    }

    Context 'EXIT typed while input stays open' {
        BeforeAll {
            $script:run = Start-Interactive $listener.Endpoint
        }

        AfterAll {
            Stop-Interactive $run
        }

        It 'ends with exit code 0 on EXIT' {
            Read-OutputLine $run | Should -Match ' HI$'
            $run.Process.StandardInput.WriteLine('EXIT')
            $run.Process.WaitForExit(10000) | Should -BeTrue
            $run.Process.ExitCode | Should -Be 0
        }
    }
}
