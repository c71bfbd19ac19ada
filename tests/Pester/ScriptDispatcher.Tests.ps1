# Scriptable dispatchers: PowerShell handlers in real pwsh dispatcher processes spawned by `sd listen
# --handler FILE.ps1`, and Start-SdDispatcher with a handler hashtable or none, in background
# runspaces. Clients talk to them over real TCP connections.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force

    # pwsh is not on PATH everywhere: the build runs it as `dotnet pwsh`, whose entry assembly is pwsh.dll.
    $script:pwsh = [System.Reflection.Assembly]::GetEntryAssembly().Location

    # Runs a script in a new runspace (scriptblocks must be made in the runspace that runs them).
    function Start-InRunspace([scriptblock] $Script, [object[]] $Arguments) {
        $shell = [powershell]::Create()
        $null = $shell.AddScript($Script)
        foreach ($a in $Arguments) { $null = $shell.AddArgument($a) }
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $inputData = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $inputData.Complete()
        [pscustomobject]@{ Shell = $shell; Output = $output; Async = $shell.BeginInvoke($inputData, $output) }
    }

    function Get-RunspaceState($Run) {
        "state: $($Run.Shell.InvocationStateInfo.State) $($Run.Shell.InvocationStateInfo.Reason)`n" +
        "verbose: $(($Run.Shell.Streams.Verbose | ForEach-Object Message) -join "`n")`n" +
        "errors: $($Run.Shell.Streams.Error -join "`n")"
    }

    function Stop-InRunspace($Run) {
        if (-not $Run) { return }
        if (-not $Run.Async.IsCompleted) { $Run.Shell.Stop() }
        $Run.Shell.Dispose()
    }

    # Sends each line on a new connection and returns the answers' wire text.
    function Invoke-SdExchange([string] $Endpoint, [string[]] $Lines) {
        $client = Connect-SdClient $Endpoint
        try {
            foreach ($line in $Lines) {
                $client | Send-SdMessage -Message ($line | ConvertFrom-SdMessage)
                $answer = Receive-SdMessage $client -Timeout 10s
                if (-not $answer) { throw "no answer to '$line' within 10 s" }
                $answer.ToString()
            }
        }
        finally { $client | Disconnect-SdClient }
    }
}

Describe 'sd listen --handler FILE.ps1' {
    Context 'a handler file with an exact route, a regex route, a catch-all and a typed parameter' {
        BeforeAll {
            $script:handlerFile = Join-Path $TestDrive 'handlers.ps1'
            Set-Content -Path $handlerFile -Value @'
# A handler file returns one hashtable: command, regular expression or '*' -> scriptblock.
@{
    DAD      = { param($m) $m.Reply('CLIMB') }
    'GET_.*' = { param($m) New-SdMessage -Command GOT -Parameter @{ what = $m.Command } }
    FIRE     = { param($m) "FIRED length=$($m.GetInt64('length'))" }
    '*'      = { param($m) New-SdMessage CAUGHT @{ command = $_.Command } -ReplyTo $m }
}
'@
            $script:listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name psfile -Dispatchers 1 -ExtraArguments @('--handler', $handlerFile, '--pwsh', $pwsh)
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'runs the dispatchers as pwsh processes' {
            $dispatcher = (Get-SdTestStatus -Control $listener.Control).Dispatchers[0].pid
            (Get-Content "/proc/$dispatcher/cmdline" -Raw) -split "`0" | Should -Contain $pwsh
        }

        It 'answers an exact route, a regex route and the catch-all' {
            $answers = Invoke-SdExchange $listener.Endpoint 'DAD', 'GET_NAME', 'JUMP'
            $answers | Should -Be @('CLIMB', 'GOT what=GET_NAME', 'CAUGHT command=JUMP')
        }

        It 'keeps the built-ins, and lists the exact routes in HELP' {
            $answers = Invoke-SdExchange $listener.Endpoint 'HELP', 'ALIVE serial=1'
            $answers[0] | Should -Be 'COMMANDS list=ALIVE,DAD,FIRE,HELP'
            $answers[1] | Should -Match '^ABSOLUTELY reply_timestamp=\d+\.\d{9};serial=1$'
        }

        It 'sends a message line a script outputs, and answers a bad typed parameter INVALID' {
            $answers = Invoke-SdExchange $listener.Endpoint 'FIRE length=-35', 'FIRE length=far'
            $answers[0] | Should -Be 'FIRED length=-35'
            $answers[1] | Should -Be "INVALID command=FIRE;message=FIRE: parameter length='far' is not an integer such as -35 or +101"
        }
    }

    Context 'a handler file that greets each new connection (@connected)' {
        BeforeAll {
            $script:greeterFile = Join-Path $TestDrive 'greeter.ps1'
            Set-Content -Path $greeterFile -Value @'
@{
    '@connected' = { New-SdMessage -Command HI }
    DAD          = { param($m) $m.Reply('CLIMB') }
}
'@
            $script:greeter = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name psgreet -Dispatchers 1 -ExtraArguments @('--handler', $greeterFile, '--pwsh', $pwsh)
        }

        AfterAll {
            Stop-SdProcess $greeter
        }

        It 'says HI first, as seed 001''s server does, then answers' {
            $client = Connect-SdClient $greeter.Endpoint
            try {
                (Receive-SdMessage $client -Timeout 10s).Command | Should -Be 'HI'
                $client | Send-SdMessage -Command DAD
                (Receive-SdMessage $client -Timeout 10s).Command | Should -Be 'CLIMB'
                $client | Send-SdMessage -Command HELP
                (Receive-SdMessage $client -Timeout 10s).ToString() | Should -Be 'COMMANDS list=ALIVE,DAD,HELP'
            }
            finally { $client | Disconnect-SdClient }
        }
    }

    Context 'bad handler files' {
        It 'refuses a missing handler file with one line and exit code 2' {
            $output = & $env:SD_BIN listen --endpoint 'tcp://127.0.0.1:0' --runtime-dir (Join-Path $TestDrive 'missing.run') --handler (Join-Path $TestDrive 'none.ps1') --pwsh $pwsh 2>&1
            $LASTEXITCODE | Should -Be 2
            @($output).Count | Should -Be 1
            "$output" | Should -Match "handler file '.*none\.ps1' does not exist"
        }

        It 'refuses a pwsh that does not exist with one line and exit code 2' {
            Set-Content -Path (Join-Path $TestDrive 'empty.ps1') -Value '@{}'
            $output = & $env:SD_BIN listen --endpoint 'tcp://127.0.0.1:0' --runtime-dir (Join-Path $TestDrive 'nopwsh.run') --handler (Join-Path $TestDrive 'empty.ps1') --pwsh (Join-Path $TestDrive 'no-pwsh') 2>&1
            $LASTEXITCODE | Should -Be 2
            "$output" | Should -Match "PowerShell program '.*no-pwsh' does not exist"
        }
    }
}

Describe 'Start-SdDispatcher' {
    BeforeAll {
        $script:listener = Start-SdTestListener -Folder $TestDrive -Scheme tcp -Name byhand -Dispatchers 0
        $script:handoff = "unix:$($listener.RuntimeDirectory)/handoff.sock"
    }

    AfterAll {
        Stop-SdProcess $listener
    }

    Context 'a handler hashtable' {
        BeforeAll {
            $script:dispatcher = Start-InRunspace -Arguments $env:SD_MODULE, $handoff -Script {
                param($ModulePath, $Handoff)
                Import-Module $ModulePath
                Start-SdDispatcher -Handoff $Handoff -Verbose -Handler @{
                    DAD       = { param($m) $m.Reply('CLIMB') }
                    'TO[PM]'  = { param($m) $m.Reply('MATCHED') }
                    '*'       = { param($m) $m.Reply('CAUGHT') }
                }
            }
            Wait-SdCondition -Because 'the dispatcher joined the listener' -State { Get-RunspaceState $dispatcher } -Condition {
                @((Get-SdTestStatus -Control $listener.Control).Dispatchers | Where-Object state -EQ 'ready').Count -eq 1
            }
        }

        AfterAll {
            Stop-InRunspace $dispatcher
        }

        It 'routes exact, regex and catch-all commands to their scriptblocks' {
            Invoke-SdExchange $listener.Endpoint 'DAD', 'TOP', 'TOM', 'TOPS', 'HELP' |
                Should -Be @('CLIMB', 'MATCHED', 'MATCHED', 'CAUGHT', 'COMMANDS list=ALIVE,DAD,HELP')
        }

        It 'answers a malformed line INVALID and keeps the connection' {
            $raw = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $listener.Port)
            try {
                $stream = $raw.GetStream()
                $bytes = [System.Text.Encoding]::UTF8.GetBytes("PING a`nDAD`n")
                $stream.Write($bytes, 0, $bytes.Length)
                $reader = [System.IO.StreamReader]::new($stream)
                foreach ($expected in '^INVALID command=PING;message=at position \d+: ', '^CLIMB$') {
                    $line = $reader.ReadLineAsync()
                    $line.Wait(10000) | Should -BeTrue
                    $line.Result | Should -Match $expected
                }
            }
            finally { $raw.Dispose() }
        }
    }

    Context 'no handler: messages to the pipeline, answered with Send-SdMessage -ReplyTo' {
        BeforeAll {
            $script:dispatcher = Start-InRunspace -Arguments $env:SD_MODULE, $handoff -Script {
                param($ModulePath, $Handoff)
                Import-Module $ModulePath
                Start-SdDispatcher -Handoff $Handoff | ForEach-Object {
                    Send-SdMessage -ReplyTo $_ -Command ECHOED -Parameter @{ was = $_.Command; length = $_.GetInt64('length', 0) }
                    $_
                }
            }
            Wait-SdCondition -Because 'the dispatcher joined the listener' -State { Get-RunspaceState $dispatcher } -Condition {
                @((Get-SdTestStatus -Control $listener.Control).Dispatchers | Where-Object state -EQ 'ready').Count -eq 1
            }
            $script:answers = Invoke-SdExchange $listener.Endpoint '<me:tester FIRE length=-35;name=Charles', 'HELP'
        }

        AfterAll {
            Stop-InRunspace $dispatcher
        }

        It 'answers through the script, addressed to the sender' {
            $answers[0] | Should -Be 'me:tester/ECHOED length=-35;was=FIRE'
        }

        It 'still answers the built-ins itself' {
            $answers[1] | Should -Be 'COMMANDS list=ALIVE,HELP'
        }

        It 'writes each received SdMessage with its Peer and Connection' {
            # The collection is still open (the dispatcher runs): enumerating it would wait for its end.
            $received = @($dispatcher.Output.ReadAll() | Where-Object { $_ -is [SocketDispatcher.SdMessage] })
            $received | Should -HaveCount 1
            $received[0].ToString() | Should -Be '<me:tester FIRE length=-35;name=Charles'
            $received[0].Peer | Should -Match '^127\.0\.0\.1:\d+$'
            $received[0].Connection | Should -Not -BeNullOrEmpty
        }
    }

    Context 'bad handlers' {
        It 'refuses a key that is neither a command, * nor a regular expression' {
            { Start-SdDispatcher -Handoff $handoff -Handler @{ '([' = { 'X' } } } |
                Should -Throw -ErrorId 'HandlerInvalid,SocketDispatcher.PowerShell.StartSdDispatcherCommand'
        }

        It 'refuses a handler that is not a scriptblock' {
            { Start-SdDispatcher -Handoff $handoff -Handler @{ DAD = 'CLIMB' } } |
                Should -Throw -ErrorId 'HandlerInvalid,SocketDispatcher.PowerShell.StartSdDispatcherCommand'
        }

        It 'refuses a handler file that does not return one hashtable' {
            $file = Join-Path $TestDrive 'two.ps1'
            Set-Content -Path $file -Value '@{}; @{}'
            { Start-SdDispatcher -Handoff $handoff -HandlerFile $file } |
                Should -Throw -ErrorId 'HandlerFileInvalid,SocketDispatcher.PowerShell.StartSdDispatcherCommand'
        }

        It 'refuses a missing handler file' {
            { Start-SdDispatcher -Handoff $handoff -HandlerFile (Join-Path $TestDrive 'none.ps1') } |
                Should -Throw -ErrorId 'FileNotFound,SocketDispatcher.PowerShell.StartSdDispatcherCommand'
        }
    }
}
