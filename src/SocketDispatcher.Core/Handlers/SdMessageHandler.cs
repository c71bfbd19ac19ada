namespace SocketDispatcher;

/// <summary>Handles one message of a conversation.</summary>
/// <param name="session">The conversation the message arrived on.</param>
/// <param name="message">The message.</param>
/// <param name="cancellationToken">Cancelled when the connection or the service stops.</param>
public delegate ValueTask SdMessageHandler(ISdSession session, SdMessage message, CancellationToken cancellationToken);
