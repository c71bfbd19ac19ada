# examples/sockets-basics.ps1 runs to the end (issue 6), in a fresh pwsh, against the built module.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:example = Join-Path $PSScriptRoot '../../examples/sockets-basics.ps1'
    $pwsh = (Get-Process -Id $PID).Path
    $arguments = @('-NoProfile', '-NonInteractive', '-File', $example, '-ModulePath', $env:SD_MODULE)
    # `dotnet pwsh` runs as the dotnet host: pass "pwsh" first when so (from the repository, where the tool manifest is).
    if ((Split-Path -Leaf $pwsh) -like 'dotnet*') { $arguments = @('pwsh') + $arguments }
    $script:run = Start-SdProcess -FilePath $pwsh -ArgumentList $arguments -OutputDirectory $TestDrive -Name basics -WorkingDirectory (Join-Path $PSScriptRoot "../..")
    Wait-SdCondition -TimeoutSeconds 120 -Because 'sockets-basics.ps1 finishes' -State { Get-SdProcessOutput $run -Stream All } -Condition { $run.Process.HasExited }
    $script:output = Get-SdProcessOutput $run -Stream All
}

AfterAll {
    Stop-SdProcess $run
}

Describe 'examples/sockets-basics.ps1' {
    Context 'Run as a script' {
        It 'exits 0 after the last sequence' {
            $run.Process.ExitCode | Should -Be 0 -Because $output
            $output | Should -Match 'done: every sequence ran to the end'
        }

        It 'walks the <_> sequence' -ForEach 'SOCK_STREAM', 'SOCK_DGRAM', 'socketpair' {
            $output | Should -Match ([regex]::Escape("== ") + '.*' + [regex]::Escape($_))
        }

        It 'prints the tutorial calls in order: socket, bind, listen, accept, read/write, close' {
            $calls = [regex]::Matches($output, '(?m)^\w+\s+(socket|bind|listen|accept|read|write|close)') | ForEach-Object { $_.Groups[1].Value }
            $first = @('socket', 'bind', 'listen', 'socket', 'accept', 'read', 'write', 'read', 'close')
            ($calls | Select-Object -First $first.Count) -join ',' | Should -Be ($first -join ',')
        }
    }
}
