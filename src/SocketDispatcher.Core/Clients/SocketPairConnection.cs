using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Datagram;

namespace SocketDispatcher.Clients;

/// <summary>A socket pair's end: a connected AF_UNIX socket on a <see cref="StreamTransport"/> (one message per line) or a <see cref="RecordTransport"/> (one per record).</summary>
internal sealed class SocketPairConnection : SdConnection
{
    public SocketPairConnection(string id, Socket socket, SdSocketType type, ILogger logger, bool trace)
        : base(id, "socketpair:" + type.ToString().ToLowerInvariant(), logger)
    {
        IMessageTransport transport = type == SdSocketType.Stream
            ? new StreamTransport(id, new NetworkStream(socket, ownsSocket: true), Target, 64 * 1024, logger, trace)
            : new RecordTransport(id, socket, Target, logger, trace);
        Attach(transport, Target, completesQueue: true);
    }
}
