using System.Text;

namespace SocketDispatcher;

/// <summary>Writes messages in wire form. STUB: quoting and escaping to be completed.</summary>
internal static class MessageWriter
{
    public static string Write(SdMessage message)
    {
        var sb = new StringBuilder();
        sb.Append(message.Command);
        var first = true;
        foreach (var (name, value) in message.Parameters)
        {
            sb.Append(first ? ' ' : ';').Append(name).Append('=').Append(value);
            first = false;
        }

        return sb.ToString();
    }
}
