namespace SocketDispatcher.Connections;

/// <summary>One line read from a stream: a message, or the reason it is not one.</summary>
internal readonly record struct LineResult(string Text, SdMessage? Message, SdMessageFormatException? Error, bool IsOversize = false);
