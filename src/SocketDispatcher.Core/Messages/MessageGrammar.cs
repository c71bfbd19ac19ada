namespace SocketDispatcher;

/// <summary>Name rules of the message format (design.md section 5). STUB: to be completed.</summary>
internal static class MessageGrammar
{
    public static void ValidateCommand(string command)
    {
        if (command.Length == 0) throw new ArgumentException("a command cannot be empty", nameof(command));
    }

    public static void ValidateParameterName(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("a parameter name cannot be empty", nameof(name));
    }

    public static void ValidateAddressPart(string? value, string what)
    {
    }
}
