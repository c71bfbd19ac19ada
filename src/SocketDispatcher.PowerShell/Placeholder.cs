namespace SocketDispatcher.PowerShell; internal static class Placeholder {}
