using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Datagram;

namespace SocketDispatcher.Clients;

/// <summary>A socket pair's end: a connected AF_UNIX socket speaking messages, one per line (stream) or one per record.</summary>
internal sealed class SocketConnection : SdConnection
{
    public SocketConnection(string id, Socket socket, SdSocketType type, ILogger logger, bool trace)
        : base(id, "socketpair:" + type.ToString().ToLowerInvariant(), logger)
    {
        IMessageTransport transport = type == SdSocketType.Stream
            ? new MessageConnection(id, new NetworkStream(socket, ownsSocket: true), Target, 64 * 1024, logger, trace)
            : new RecordTransport(id, socket, Target, logger, trace);
        Attach(transport, Target, completesQueue: true);
    }
}
