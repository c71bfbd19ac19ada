using System.Net;
using System.Net.Sockets;

namespace SocketDispatcher.Listening;

/// <summary>
/// Binds and listens on a stream endpoint (tcp, tls, unix) with errors a user can act on. A leftover
/// AF_UNIX socket file that nobody answers on is removed first; one that answers is "in use".
/// Socket files are made mode 0600.
/// </summary>
internal static class SocketBinder
{
    /// <exception cref="SdException">AddressInUse, PermissionDenied, EndpointInvalid (not a stream endpoint or a host name).</exception>
    public static Socket Listen(SdEndpoint endpoint, int backlog, SocketType unixType = SocketType.Stream)
    {
        if (!endpoint.IsStream)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"cannot listen for connections on {endpoint}: use tcp://, tls:// or unix:");
        }

        if (endpoint.IsUnix) return ListenUnix(endpoint, backlog, unixType);
        if (endpoint.ToEndPoint() is not IPEndPoint address)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"cannot listen on host name '{endpoint.Host}' in {endpoint}: give an IP address such as 127.0.0.1, 0.0.0.0 or [::]");
        }

        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Explicit rather than the OS default (net.ipv6.bindv6only): [::] also takes IPv4.
            if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = address.Address.Equals(IPAddress.IPv6Any);

            // Accepted sockets inherit TCP_NODELAY from the listening one (Linux clones the listener's
            // options), so no dispatcher sets it per connection: a message is one small write, and with
            // Nagle's algorithm an answer could wait for the peer's delayed ACK, about 40 ms (tcp(7)).
            socket.NoDelay = true;
            socket.Bind(address);
            socket.Listen(backlog);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw BindError(endpoint, ex);
        }
    }

    /// <summary>The endpoint text with the port the kernel chose for port 0.</summary>
    public static SdEndpoint Bound(SdEndpoint endpoint, Socket socket)
        => socket.LocalEndPoint is IPEndPoint local && endpoint.Port == 0 ? endpoint.WithPort(local.Port) : endpoint;

    /// <summary>Removes the socket file of a unix: endpoint (abstract names have none).</summary>
    public static void RemoveSocketFile(SdEndpoint endpoint)
    {
        if (endpoint.IsUnix && !endpoint.IsAbstract && endpoint.Path is { } path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Best effort: the folder may be gone already.
            }
        }
    }

    private static Socket ListenUnix(SdEndpoint endpoint, int backlog, SocketType type)
    {
        if (!endpoint.IsAbstract && File.Exists(endpoint.Path)) RemoveIfStale(endpoint, type);
        var socket = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        try
        {
            socket.Bind(endpoint.ToEndPoint());
            if (!endpoint.IsAbstract) File.SetUnixFileMode(endpoint.Path!, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(backlog);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw BindError(endpoint, ex);
        }
    }

    private static void RemoveIfStale(SdEndpoint endpoint, SocketType type)
    {
        using var probe = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        try
        {
            probe.Connect(endpoint.ToEndPoint());
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(endpoint.Path!);
            return;
        }
        catch (SocketException)
        {
            return; // Not ours to judge (a file that is not a socket, or no access): bind will say why.
        }

        throw new SdException(SdErrorKind.ResourceUnavailable, "AddressInUse", $"{endpoint}: another process is listening on this socket");
    }

    private static SdException BindError(SdEndpoint endpoint, SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => new SdException(SdErrorKind.ResourceUnavailable, "AddressInUse", $"{endpoint}: address already in use; stop the other listener or pick another port", ex),
        SocketError.AccessDenied => new SdException(SdErrorKind.PermissionDenied, "AccessDenied", $"{endpoint}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)", ex),
        SocketError.AddressNotAvailable => new SdException(SdErrorKind.InvalidArgument, "AddressNotAvailable", $"{endpoint}: this machine has no such address", ex),
        _ => new SdException(SdErrorKind.ConnectionError, "BindFailed", $"{endpoint}: cannot listen: {ex.Message}", ex),
    };
}
