#Requires -Version 7.4
<#
.SYNOPSIS
    Seed 001's client (eventdispatcher's examples/client): a permanent connection that waits for the
    server, then runs HI / DAD / CLIMB / TOP / WHO / MOM / BYE and quits.
.DESCRIPTION
    Start it before or after server.ps1: the connection is permanent (Connect-SdClient -Permanent), so
    while no server listens it retries after each pause of -PauseDuration, the last one repeating.

         Client          Server
        connect    ->    connected
                   <-    HI
        DAD        ->
                   <-    CLIMB
        TOP        ->
                   <-    WHO
        MOM        ->
                   <-    BYE
        quit

    Exits 0 after BYE; 1 when no BYE came within -TimeoutSeconds.
.PARAMETER Endpoint
    The server. Default: tcp://127.0.0.1:3001.
.PARAMETER Trace
    Print every message in and out, with a timestamp (the seed's --trace).
.PARAMETER PauseDuration
    Pauses between connection attempts while the server is down. Default: 1s, 2s, 5s, 10s.
.PARAMETER TimeoutSeconds
    How long to wait for the whole conversation, server start included. Default: 300.
.EXAMPLE
    ./examples/conversation/client.ps1 -Trace
#>
[CmdletBinding()]
param(
    [string] $Endpoint = 'tcp://127.0.0.1:3001',
    [switch] $Trace,
    [string[]] $PauseDuration = @('1s', '2s', '5s', '10s'),
    [ValidateRange(1, 86400)]
    [double] $TimeoutSeconds = 300,
    [string] $ModulePath = $(if ($env:SD_MODULE) { $env:SD_MODULE } else { Join-Path $PSScriptRoot '../../artifacts/SocketDispatcher/SocketDispatcher.psd1' })
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Write-Trace([string] $Direction, $Message) {
    if ($Trace) { Write-Host ('{0:HH:mm:ss.fff} {1} {2}' -f [DateTime]::Now, $Direction, $Message) }
}

# What the client answers to each message of the server; BYE ends the conversation.
$answers = @{ HI = 'DAD'; CLIMB = 'TOP'; WHO = 'MOM' }

$client = Connect-SdClient $Endpoint -Permanent -PauseDuration $PauseDuration
try {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        if ([DateTime]::UtcNow -ge $deadline) { throw "no BYE from $Endpoint within $TimeoutSeconds s" }
        # Short waits, so that the deadline above is checked while the server is down.
        $message = $client | Receive-SdMessage -Timeout 1s -ErrorAction SilentlyContinue
        if (-not $message) { continue }
        if ($message.Command -like 'SD_*') {
            # The permanent client's own events: SD_CONNECTED, SD_DISCONNECTED, SD_RECONNECT_ATTEMPT.
            Write-Trace '==' $message
            continue
        }
        Write-Trace '<-' $message
        if ($message.Command -eq 'BYE') { break }
        if ($answers.ContainsKey($message.Command)) {
            $reply = $answers[$message.Command]
            $client | Send-SdMessage -Command $reply
            Write-Trace '->' $reply
        }
    }
    Write-Host 'conversation complete: HI, DAD, CLIMB, TOP, WHO, MOM, BYE; quitting'
}
finally {
    $client | Disconnect-SdClient
}
