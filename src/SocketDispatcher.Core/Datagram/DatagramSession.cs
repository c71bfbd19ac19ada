using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Datagram;

/// <summary>
/// One datagram as a handler sees it: answers go back to the sender's address with sendto(2),
/// one message per datagram. There is no connection to close.
/// </summary>
internal sealed class DatagramSession(string id, Socket socket, EndPoint? sender, string? peer, bool isLocalPeer, string endpoint, bool trace, ILogger logger, Action<string> requestServiceStop) : ISdSession
{
    public string Id { get; } = id;

    public string? Peer { get; } = peer;

    public bool IsLocalPeer { get; } = isLocalPeer;

    public async ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
    {
        if (sender is null)
        {
            DatagramLog.SenderUnnamed(logger, Id, endpoint);
            return;
        }

        var text = message.ToString();
        try
        {
            await socket.SendToAsync(Encoding.UTF8.GetBytes(text + "\n"), SocketFlags.None, sender, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            // The sender may be gone (its unixgram socket closed, ICMP port unreachable): nothing to do.
            DatagramLog.ReplyFailed(logger, Id, endpoint, Peer, ex.Message);
            return;
        }

        if (trace) ConnectionLog.Trace(logger, "out", Id, Peer, text);
    }

    public void Close(string reason)
    {
        // A datagram has no connection; the next one is a new session.
    }

    public void RequestServiceStop(string reason) => requestServiceStop(reason);
}
