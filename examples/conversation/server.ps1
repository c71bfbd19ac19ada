#Requires -Version 7.4
<#
.SYNOPSIS
    Seed 001's server (eventdispatcher's examples/server): a listener whose dispatchers greet each
    client with HI and answer DAD -> CLIMB, TOP -> WHO, MOM -> BYE. QUIT stops it.
.DESCRIPTION
    Runs `sd listen` in the foreground until QUIT. Start this or client.ps1 first: the client is
    permanent and waits for the server. Stop it as ed-signal would:

        sd signal --host 127.0.0.1:3001 --type tcp QUIT

    (a QUIT from a loopback peer of the conversation stops the whole service), or with
    `sd signal unix:RUNDIR/control.sock QUIT`, or Ctrl+C. With -LogFile the listener and its
    dispatchers also log to files that logrotate.conf next to this script rotates (postrotate sends
    LOG to the control socket, and every process reopens its file).
.PARAMETER Endpoint
    Where clients connect. Default: tcp://127.0.0.1:3001 (the seed's port).
.PARAMETER Trace
    Log every message in and out (the seed's --trace).
.PARAMETER RuntimeDirectory
    Holds the handoff socket and the control socket control.sock. Default: $XDG_RUNTIME_DIR/sd/conversation,
    /run/sd/conversation as root, /tmp/sd-UID/conversation otherwise.
.PARAMETER LogFile
    Also log to this file; dispatchers log to NAME.dispatcher-PID.EXT next to it.
.PARAMETER ModulePath
    The module manifest. Default: $env:SD_MODULE, else artifacts/SocketDispatcher in this repository.
.EXAMPLE
    ./examples/conversation/server.ps1 -Trace
#>
[CmdletBinding()]
param(
    [string] $Endpoint = 'tcp://127.0.0.1:3001',
    [switch] $Trace,
    [string] $RuntimeDirectory,
    [string] $LogFile,
    [string] $ModulePath = $(if ($env:SD_MODULE) { $env:SD_MODULE } else { Join-Path $PSScriptRoot '../../artifacts/SocketDispatcher/SocketDispatcher.psd1' })
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$sd = Join-Path (Split-Path (Get-Module SocketDispatcher).Path) 'sd'

# The seed prints "some information about it such as its version" first.
Write-Host "conversation server: SocketDispatcher $((Get-Module SocketDispatcher).Version), pid $PID, on $Endpoint"

$arguments = @('listen', '--endpoint', $Endpoint, '--handler', 'conversation', '--name', 'conversation')
if ($RuntimeDirectory) { $arguments += '--runtime-dir', $RuntimeDirectory }
if ($LogFile) { $arguments += '--log-file', $LogFile }
if ($Trace) { $arguments += '--trace' }

# sd listen logs to standard error, drains open conversations on QUIT and exits 0.
& $sd @arguments
exit $LASTEXITCODE
