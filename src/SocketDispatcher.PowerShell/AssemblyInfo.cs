// The cmdlets wrap SocketDispatcher.Core, which is Linux-only (SCM_RIGHTS, SO_PEERCRED, SOCK_SEQPACKET).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
