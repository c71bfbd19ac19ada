using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDispatcher.Clients;
using SocketDispatcher.Interop;

namespace SocketDispatcher;

/// <summary>
/// Pairs of connected AF_UNIX sockets (socketpair(2)) whose ends speak messages, in one process or
/// with one end given to a child process through descriptor inheritance (<c>New-SdSocketPair</c>).
/// </summary>
public static class SdSocketPair
{
    private static long s_nextId;

    /// <summary>Creates a connected pair; both ends speak messages at once.</summary>
    /// <param name="type">The socket type. Default: <see cref="SdSocketType.Stream"/>.</param>
    /// <param name="loggerFactory">Where trace and errors go; null for nowhere.</param>
    /// <param name="trace">Log every message in and out.</param>
    /// <returns>The two ends, <c>pair-Na</c> and <c>pair-Nb</c>; what one sends, the other receives.</returns>
    /// <exception cref="SdException">socketpair(2) failed (kind ResourceUnavailable, reason <c>SocketPairFailed</c>).</exception>
    public static SdConnection[] Create(SdSocketType type = SdSocketType.Stream, ILoggerFactory? loggerFactory = null, bool trace = false)
    {
        var (first, second) = CreateHandles(type);
        var id = "pair-" + Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketDispatcher.SocketPair");
        return [Wrap(id + "a", first, type, logger, trace), Wrap(id + "b", second, type, logger, trace)];
    }

    /// <summary>
    /// Creates a pair and keeps one end for a child process: <see cref="SdInheritableSocket.Descriptor"/> is a
    /// descriptor without FD_CLOEXEC, so a process started now inherits it under that number; give the
    /// number to the child (<c>sd serve --fd N</c>) and dispose <see cref="SdInheritableSocket"/> once it has started.
    /// </summary>
    /// <param name="type">The socket type. Default: <see cref="SdSocketType.Stream"/>.</param>
    /// <param name="loggerFactory">Where trace and errors go; null for nowhere.</param>
    /// <returns>This process's end, and the child's end.</returns>
    /// <exception cref="SdException">socketpair(2) or fcntl(2) failed (reason <c>SocketPairFailed</c>).</exception>
    public static (SdConnection Local, SdInheritableSocket Child) CreateForChild(SdSocketType type = SdSocketType.Stream, ILoggerFactory? loggerFactory = null)
    {
        var (first, second) = CreateHandles(type);
        try
        {
            NativeSockets.SetCloseOnExec(second, closeOnExec: false);
        }
        catch (SyscallException ex)
        {
            first.Dispose();
            second.Dispose();
            throw new SdException(SdErrorKind.ResourceUnavailable, "SocketPairFailed", $"cannot make one end of a socket pair inheritable: {ex.Message}", ex);
        }

        var id = "pair-" + Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketDispatcher.SocketPair");
        return (Wrap(id + "a", first, type, logger, trace: false), new SdInheritableSocket(second, type));
    }

    /// <summary>
    /// Speaks messages on a socket this process inherited (the child's side of <see cref="CreateForChild"/>).
    /// The descriptor is made close-on-exec again so that it goes no further.
    /// </summary>
    /// <param name="descriptor">The inherited descriptor number (3 or more).</param>
    /// <param name="loggerFactory">Where trace and errors go; null for nowhere.</param>
    /// <param name="trace">Log every message in and out.</param>
    /// <exception cref="SdException">The descriptor is not an AF_UNIX socket (kind InvalidArgument, reason <c>DescriptorInvalid</c>).</exception>
    public static SdConnection FromDescriptor(int descriptor, ILoggerFactory? loggerFactory = null, bool trace = false)
    {
        if (descriptor < 3) throw Invalid(descriptor, "0, 1 and 2 are the standard streams");
        var handle = new SafeSocketHandle(descriptor, ownsHandle: true);
        Socket socket;
        try
        {
            NativeSockets.SetCloseOnExec(handle, closeOnExec: true);
            socket = new Socket(handle);
        }
        catch (Exception ex) when (ex is SocketException or SyscallException)
        {
            handle.Dispose();
            throw Invalid(descriptor, ex.Message);
        }

        if (socket.AddressFamily != AddressFamily.Unix)
        {
            socket.Dispose();
            throw Invalid(descriptor, "not an AF_UNIX socket");
        }

        var type = socket.SocketType switch
        {
            SocketType.Dgram => SdSocketType.Datagram,
            SocketType.Seqpacket => SdSocketType.SeqPacket,
            _ => SdSocketType.Stream,
        };
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketDispatcher.SocketPair");
        return new SocketPairConnection("fd-" + descriptor.ToString(CultureInfo.InvariantCulture), socket, type, logger, trace);
    }

    private static SdException Invalid(int descriptor, string why)
        => new(SdErrorKind.InvalidArgument, "DescriptorInvalid", $"descriptor {descriptor.ToString(CultureInfo.InvariantCulture)} cannot be used as a socket pair end: {why}");

    private static (SafeSocketHandle, SafeSocketHandle) CreateHandles(SdSocketType type)
    {
        try
        {
            return NativeSockets.CreateSocketPair(SocketTypeOf(type));
        }
        catch (SyscallException ex)
        {
            throw new SdException(SdErrorKind.ResourceUnavailable, "SocketPairFailed", $"socketpair(AF_UNIX, {type}) failed: {ex.Message}", ex);
        }
    }

    internal static SocketType SocketTypeOf(SdSocketType type) => type switch
    {
        SdSocketType.Datagram => SocketType.Dgram,
        SdSocketType.SeqPacket => SocketType.Seqpacket,
        _ => SocketType.Stream,
    };

    private static SocketPairConnection Wrap(string id, SafeSocketHandle handle, SdSocketType type, ILogger logger, bool trace)
        => new SocketPairConnection(id, new Socket(handle), type, logger, trace);

    /// <summary>
    /// Serves a handler's conversation on a connection (the child's side of a pair): <c>OnConnected</c>
    /// first, then each message routed, built-ins included, until the other end closes.
    /// </summary>
    /// <param name="connection">A socket pair's end.</param>
    /// <param name="router">The handlers.</param>
    /// <param name="requestServiceStop">Called when a handler asks the service to stop (<c>QUIT</c>).</param>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>Completes when the conversation has ended and the connection is closed.</returns>
    public static async Task ServeAsync(SdConnection connection, SdMessageRouter router, Action<string> requestServiceStop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(requestServiceStop);
        await using (connection.ConfigureAwait(false))
        {
            await new ConnectionSession(connection, requestServiceStop).RunAsync(router, cancellationToken).ConfigureAwait(false);
        }
    }
}
