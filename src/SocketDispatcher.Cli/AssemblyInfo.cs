// SocketDispatcher is built on Linux-only kernel features (SCM_RIGHTS, SO_PEERCRED, SOCK_SEQPACKET).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
