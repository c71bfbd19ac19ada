namespace SocketDispatcher;

/// <summary>Reads messages from wire form. STUB: the full grammar to be completed.</summary>
internal static class MessageParser
{
    public static SdMessage Parse(string line)
    {
        var text = line.Trim();
        var space = text.IndexOf(' ');
        var command = space < 0 ? text : text[..space];
        if (command.Length == 0) throw new MessageFormatException(0, "empty message");
        var parameters = new List<KeyValuePair<string, string>>();
        if (space >= 0)
        {
            foreach (var part in text[(space + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=');
                if (eq <= 0) throw new MessageFormatException(space + 1, "parameter without '='");
                parameters.Add(new(part[..eq], part[(eq + 1)..]));
            }
        }

        try
        {
            return new SdMessage(command, parameters);
        }
        catch (ArgumentException ex)
        {
            throw new MessageFormatException(0, ex.Message);
        }
    }
}
