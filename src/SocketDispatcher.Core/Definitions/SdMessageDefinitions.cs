using System.Collections.Frozen;
using System.Text.Json;
using SocketDispatcher.Definitions;

namespace SocketDispatcher;

/// <summary>
/// The message definitions a router checks messages against, one per command, loaded from
/// <c>COMMAND.json</c> or <c>COMMAND.psd1</c> files on a search path the way eventdispatcher looks
/// for its <c>COMMAND.conf</c> definition files: the first directory that defines a command wins,
/// and the definitions shipped with SocketDispatcher (<see cref="BuiltIn"/>) come last.
/// </summary>
/// <remarks>
/// <para>A file holds one definition (JSON shown; a .psd1 file has the same keys, any case):</para>
/// <code>
/// { "command": "FIRE",
///   "parameters": [
///     { "name": "length", "presence": "required", "type": "integer" },
///     { "name": "name", "allowEmpty": false },
///     { "name": "secret", "presence": "forbidden" } ],
///   "otherParameters": true }
/// </code>
/// <para>
/// <c>presence</c> is <c>required</c>, <c>optional</c> (the default) or <c>forbidden</c>; <c>type</c> is
/// <c>string</c> (the default), <c>integer</c>, <c>boolean</c>, <c>address</c> or <c>timespan</c>;
/// <c>allowEmpty</c> defaults to true for a string and false otherwise; <c>otherParameters</c>
/// (whether parameters without a rule are accepted) defaults to true. Every file is read when the
/// set is loaded, so a bad file fails the start, not a message.
/// </para>
/// </remarks>
public sealed class SdMessageDefinitions
{
    private static readonly Lazy<SdMessageDefinitions> BuiltInSet = new(LoadBuiltIn);

    private readonly FrozenDictionary<string, SdMessageDefinition> _byCommand;

    /// <summary>Creates a set from definitions; a later definition of the same command is ignored (the first wins, as on a search path).</summary>
    /// <param name="definitions">The definitions.</param>
    public SdMessageDefinitions(IEnumerable<SdMessageDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var byCommand = new Dictionary<string, SdMessageDefinition>(StringComparer.Ordinal);
        foreach (var definition in definitions) byCommand.TryAdd(definition.Command, definition);
        _byCommand = byCommand.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The definitions shipped with SocketDispatcher, for every built-in command (HELP, ALIVE, QUIT, STOP, LOG, ...).</summary>
    public static SdMessageDefinitions BuiltIn => BuiltInSet.Value;

    /// <summary>The commands defined, sorted (ordinal).</summary>
    public IReadOnlyList<string> Commands => _byCommand.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The definition of <paramref name="command"/>, or null.</summary>
    public SdMessageDefinition? Find(string command) => _byCommand.GetValueOrDefault(command);

    /// <summary>The first rule <paramref name="message"/> breaks, as one line naming the rule and the file; null when it breaks none or its command has no definition.</summary>
    public string? Check(SdMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Find(message.Command)?.Check(message);
    }

    /// <summary>
    /// Loads every <c>*.json</c> and <c>*.psd1</c> file of each directory, in order, then the
    /// built-in definitions; the first definition of a command wins.
    /// </summary>
    /// <param name="directories">Directories, such as the parts of a colon-separated search path.</param>
    /// <exception cref="SdException">A directory does not exist (kind NotFound, reason <c>DefinitionPathNotFound</c>) or a file is not a valid definition (kind InvalidArgument, reason <c>DefinitionInvalid</c>, naming the file, line and problem).</exception>
    public static SdMessageDefinitions Load(IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var definitions = new List<SdMessageDefinition>();
        foreach (var directory in directories.Where(d => d.Length > 0))
        {
            if (!Directory.Exists(directory))
            {
                throw new SdException(SdErrorKind.NotFound, "DefinitionPathNotFound", $"the message definition directory '{directory}' does not exist");
            }

            var files = Directory.EnumerateFiles(directory)
                .Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal);
            foreach (var file in files) definitions.Add(LoadFile(file));
        }

        definitions.AddRange(BuiltIn._byCommand.Values);
        return new SdMessageDefinitions(definitions);
    }

    /// <summary>Loads from a colon-separated search path (<c>DIR[:DIR...]</c>, as <c>--definitions</c> takes it), then the built-ins.</summary>
    /// <exception cref="SdException">As <see cref="Load(IEnumerable{string})"/>.</exception>
    public static SdMessageDefinitions Load(string searchPath)
    {
        ArgumentNullException.ThrowIfNull(searchPath);
        return Load(searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Reads one definition file, <c>.json</c> or <c>.psd1</c>.</summary>
    /// <exception cref="SdException">The file cannot be read (kind NotFound, reason <c>DefinitionPathNotFound</c>) or is not a valid definition (kind InvalidArgument, reason <c>DefinitionInvalid</c>).</exception>
    public static SdMessageDefinition LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SdException(SdErrorKind.NotFound, "DefinitionPathNotFound", $"cannot read the message definition '{path}': {ex.Message}", ex);
        }

        return Parse(text, path, path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase));
    }

    internal static SdMessageDefinition Parse(string text, string source, bool powerShellData)
    {
        try
        {
            var data = powerShellData ? PowerShellDataReader.Read(text) : FromJson(text);
            return DefinitionReader.FromData(data, source);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "DefinitionInvalid", $"the message definition '{source}' is not valid: {ex.Message}", ex);
        }
    }

    private static object? FromJson(string text)
    {
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return Convert(document.RootElement);

        static object? Convert(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value), StringComparer.OrdinalIgnoreCase),
            JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToList(),
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.TryGetInt64(out var n) ? n : throw new FormatException($"{element.GetRawText()} is not an integer"),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }

    private static SdMessageDefinitions LoadBuiltIn()
    {
        var assembly = typeof(SdMessageDefinitions).Assembly;
        var definitions = new List<SdMessageDefinition>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("SocketDispatcher.Definitions.BuiltIn.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var file = name["SocketDispatcher.Definitions.BuiltIn.".Length..];
            definitions.Add(Parse(reader.ReadToEnd(), "built-in:" + file, powerShellData: false));
        }

        return new SdMessageDefinitions(definitions);
    }
}
