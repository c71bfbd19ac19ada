using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Interop;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Listening;

/// <summary>
/// The accept loop of one listening socket, on a dedicated thread that blocks in accept4(2): about
/// 8 us per connection, against 21-26 us for <see cref="Socket.AcceptAsync(CancellationToken)"/> and
/// its Socket per connection, whose allocations also grow the listener's RSS (docs/performance.md).
/// Disposing the listening socket wakes the thread (EINVAL), which ends the loop. It owns no shared
/// state and takes no lock of its own: it waits on the <see cref="HandoffScheduler"/> for a dispatcher,
/// then gives it each connection.
/// </summary>
internal sealed class ClientAcceptLoop(SdEndpoint endpoint, Socket listening, HandoffScheduler scheduler, HandoffCounters counters, ILogger logger, CancellationToken stopping)
{
    /// <summary>Starts the loop's thread; the task completes when the loop ends, and faults when the loop itself failed.</summary>
    public Task Start()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "sd-accept",
        };
        thread.Start();
        return done.Task;
    }

    private void Run()
    {
        var token = stopping;
        var endpointText = endpoint.ToString();

        // Bound to one address (not a wildcard, or AF_UNIX): every accepted socket has the listening
        // socket's local address, so no getsockname per connection.
        var bound = listening.LocalEndPoint;
        var wildcard = bound is IPEndPoint ip && (ip.Address.Equals(IPAddress.Any) || ip.Address.Equals(IPAddress.IPv6Any));
        var fixedLocal = wildcard ? null : bound?.ToString() ?? endpointText;
        var address = new byte[NativeSockets.SocketAddressBytes];
        try
        {
            while (!token.IsCancellationRequested)
            {
                // Backpressure: accept only when a dispatcher can take the connection; until then
                // clients wait in the kernel's backlog instead of being accepted and dropped.
                var wait = scheduler.WaitForDispatcherAsync(token);
                if (!wait.IsCompleted) wait.GetAwaiter().GetResult();
                SocketDescriptor descriptor;
                int addressLength;
                try
                {
                    descriptor = NativeSockets.Accept(listening.SafeHandle, address, out addressLength);
                }
                catch (SyscallException ex) when (!token.IsCancellationRequested)
                {
                    // A per-connection failure (ECONNABORTED, EMFILE...): log it and go on.
                    ListenerLog.AcceptFailed(logger, endpointText, ex.Message);
                    continue;
                }
                catch (SyscallException)
                {
                    // Woken by the listening socket's close: the listener is stopping.
                    return;
                }

                var id = counters.Accept();
                var family = NativeSockets.FamilyOf(address.AsSpan(0, addressLength));
                string peer;
                if (endpoint.IsUnix)
                {
                    family = AddressFamily.Unix;
                    var credentials = NativeSockets.GetPeerCredentials(descriptor);
                    peer = string.Create(CultureInfo.InvariantCulture, $"pid={credentials.ProcessId},uid={credentials.UserId}");
                }
                else
                {
                    peer = NativeSockets.ToIPEndPoint(address.AsSpan(0, addressLength))?.ToString() ?? "unknown";
                }

                var local = fixedLocal ?? NativeSockets.GetLocalEndPoint(descriptor) ?? endpointText;
                scheduler.Hand(new HandedConnection(id, descriptor, family, endpoint, peer, local));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The listener is stopping.
        }
        catch (Exception ex)
        {
            ListenerLog.AcceptLoopFailed(logger, ex, endpointText);
            throw;
        }
    }
}
