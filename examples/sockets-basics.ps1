#Requires -Version 7.4
<#
.SYNOPSIS
    Walks seed 002's client and server call sequences (socket, bind, listen, accept, connect,
    send, receive, close) for TCP, UDP, AF_UNIX and socketpair with SocketDispatcher, printing each step.
.DESCRIPTION
    The server side runs as `sd listen` (TCP and AF_UNIX stream: accept, then the socket is handed to a
    dispatcher) and `sd serve` (UDP and unixgram: no accept, one message per datagram). The client side
    uses the cmdlets. docs/sockets.md maps each system call to the API used here.
    Exits 0 when every step worked; throws otherwise. Everything it starts is stopped at the end.
.PARAMETER ModulePath
    The module manifest; default: the one in artifacts/SocketDispatcher next to this repository.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../artifacts/SocketDispatcher/SocketDispatcher.psd1')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$sd = Join-Path (Split-Path (Get-Module SocketDispatcher).Path) 'sd'
$work = Join-Path ([System.IO.Path]::GetTempPath()) "sd-basics-$PID"
$null = New-Item -ItemType Directory -Path $work -Force
$processes = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

function Step([string] $Side, [string] $Call, [string] $Text) {
    Write-Host ('{0,-7} {1,-26} {2}' -f $Side, $Call, $Text)
}

# Starts sd with output in files; returns the process.
function Start-Sd([string] $Name, [string[]] $Arguments) {
    $info = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    foreach ($a in @('-c', 'exec "$@" >"$0.out" 2>"$0.err" </dev/null', (Join-Path $work $Name), $sd) + $Arguments) { $info.ArgumentList.Add($a) }
    $process = [System.Diagnostics.Process]::Start($info)
    $processes.Add($process)
    $process
}

# Polls until -Condition returns something, for at most 30 s (readiness is never a fixed sleep).
function Wait-Until([scriptblock] $Condition, [string] $What) {
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ([DateTime]::UtcNow -lt $deadline) {
        $value = try { & $Condition } catch { $null }
        if ($value) { return $value }
        Start-Sleep -Milliseconds 50
    }
    throw "timed out waiting until $What"
}

try {
    Write-Host '== TCP and AF_UNIX stream (SOCK_STREAM) =='
    $runtime = Join-Path $work 'run'
    $unixPath = Join-Path $work 'basics.sock'
    Step server 'socket(AF_INET, STREAM)' 'sd listen --endpoint tcp://127.0.0.1:0 (and AF_INET6, AF_UNIX alike)'
    Step server 'bind() + listen()' "127.0.0.1, port 0 (the kernel picks one), and $unixPath"
    $null = Start-Sd listen @('listen', '--endpoint', 'tcp://127.0.0.1:0', '--endpoint', "unix:$unixPath", '--dispatchers', '1', '--runtime-dir', $runtime, '--drain-timeout', '2s')
    $listener = Wait-Until -What 'the listener has a ready dispatcher' {
        # Get-SdListener reads the listener's STATUS answer (endpoints, counters, one row per dispatcher).
        $info = Get-SdListener -Control "unix:$runtime/control.sock" -ErrorAction SilentlyContinue
        if ($info -and ($info.Dispatchers | Where-Object State -eq 'ready')) { $info }
    }
    $tcp = $listener.Endpoints | Where-Object Kind -eq Tcp | Select-Object -First 1
    Step server 'listen() done' "listening on $tcp and unix:$unixPath"

    foreach ($endpoint in $tcp, "unix:$unixPath") {
        Step client 'socket() + connect()' "Connect-SdClient $endpoint"
        $client = Connect-SdClient $endpoint
        Step server 'accept()' 'the listener accepts and hands the socket to its dispatcher (SCM_RIGHTS)'
        $hi = $client | Receive-SdMessage -Timeout 10s
        Step client 'read()' "$($hi.Command) (the server writes first)"
        Step client 'write()' 'Send-SdMessage DAD'
        $client | Send-SdMessage -Command DAD
        $answer = $client | Receive-SdMessage -Timeout 10s
        Step client 'read()' $answer.Command
        if ($answer.Command -ne 'CLIMB') { throw "expected CLIMB over $endpoint, got $answer" }
        Step client 'close()' 'Disconnect-SdClient'
        $client | Disconnect-SdClient
    }
    Step server 'close()' 'QUIT on the control endpoint: the listener closes its sockets and exits'
    Send-SdMessage -Endpoint "unix:$runtime/control.sock" -Command QUIT

    Write-Host ''
    Write-Host '== UDP and AF_UNIX datagrams (SOCK_DGRAM) =='
    $gram = Join-Path $work 'basics.gram'
    Step server 'socket(AF_INET, DGRAM)' 'sd serve --endpoint udp://127.0.0.1:0 --endpoint unixgram:PATH'
    Step server 'bind()' 'no listen() and no accept() for datagrams'
    $serve = Start-Sd serve @('serve', '--handler', 'conversation', '--endpoint', 'udp://127.0.0.1:0', '--endpoint', "unixgram:$gram")
    $endpoints = Wait-Until -What 'sd serve prints its endpoints' {
        $lines = @(Get-Content (Join-Path $work 'serve.out') -ErrorAction Ignore)
        if ($lines.Count -ge 2) { , $lines }
    }
    foreach ($endpoint in $endpoints) {
        Step client 'socket() + sendto()' "Send-SdMessage -Endpoint $endpoint -Command TOP -Reply"
        $answer = Send-SdMessage -Endpoint $endpoint -Command TOP -Reply -Timeout 5s
        Step client 'recvfrom()' "$($answer.Command) (sent back to the client's own address)"
        if ($answer.Command -ne 'WHO') { throw "expected WHO over $endpoint, got $answer" }
    }
    Step server 'close()' 'QUIT by datagram from a local sender'
    Send-SdMessage -Endpoint $endpoints[0] -Command QUIT
    $null = Wait-Until -What 'sd serve exits' { $serve.HasExited }

    Write-Host ''
    Write-Host '== socketpair(AF_UNIX) =='
    foreach ($type in 'Stream', 'Datagram', 'SeqPacket') {
        Step both "socketpair($type)" "New-SdSocketPair -Type $type"
        $a, $b = New-SdSocketPair -Type $type
        $a | Send-SdMessage -Command MOM
        Step a 'write()' 'MOM'
        Step b 'read()' ($b | Receive-SdMessage -Timeout 5s).Command
        $b | Send-SdMessage -Command BYE
        Step a 'read()' ($a | Receive-SdMessage -Timeout 5s).Command
        Step both 'close()' 'Disconnect-SdClient'
        $a, $b | Disconnect-SdClient
    }
    Write-Host ''
    Write-Host 'done: every sequence ran to the end'
}
finally {
    foreach ($process in $processes) {
        if (-not $process.WaitForExit(10000)) { $process.Kill($true); $null = $process.WaitForExit(5000) }
    }
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
