using System.Globalization;
using System.Text;

namespace SocketDispatcher.Definitions;

/// <summary>
/// Reads the part of PowerShell's data language (about_Data_Files) that a message definition uses,
/// without a PowerShell runtime (dispatchers started by <c>sd</c> have none): hashtables
/// <c>@{ Name = value; ... }</c>, arrays <c>@( a, b )</c> or <c>a, b</c>, single- and double-quoted
/// strings (no expansion), integers, <c>$true</c>, <c>$false</c>, <c>$null</c>, and <c>#</c> and
/// <c>&lt;# #&gt;</c> comments. Hashtable keys are case-insensitive, as in PowerShell.
/// </summary>
internal sealed class PowerShellDataReader
{
    private readonly string _text;
    private int _at;

    private PowerShellDataReader(string text) => _text = text;

    /// <summary>Reads one value that fills the whole text.</summary>
    /// <exception cref="FormatException">The text is not in the supported subset; the message names the line and the problem.</exception>
    public static object? Read(string text)
    {
        var reader = new PowerShellDataReader(text);
        var value = reader.ReadList();
        reader.SkipSpace(newlines: true);
        if (reader._at < text.Length) throw reader.Error("unexpected text after the value");
        return value;
    }

    private object? ReadList()
    {
        var first = ReadValue();
        SkipSpace(newlines: false);
        if (Peek() != ',') return first;
        var items = new List<object?> { first };
        while (Peek() == ',')
        {
            _at++;
            SkipSpace(newlines: true);
            items.Add(ReadValue());
            SkipSpace(newlines: false);
        }

        return items;
    }

    private object? ReadValue()
    {
        SkipSpace(newlines: true);
        var c = Peek();
        if (c == '@' && PeekAt(1) == '{') return ReadHashtable();
        if (c == '@' && PeekAt(1) == '(') return ReadArray();
        if (c == '\'') return ReadSingleQuoted();
        if (c == '"') return ReadDoubleQuoted();
        if (c == '$') return ReadVariable();
        if (c == '-' || c == '+' || char.IsAsciiDigit(c)) return ReadNumber();
        throw Error(c == '\0' ? "a value is missing" : $"'{c}' cannot start a value (use quotes around text)");
    }

    private Dictionary<string, object?> ReadHashtable()
    {
        _at += 2;
        var table = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipSpace(newlines: true);
            while (Peek() == ';')
            {
                _at++;
                SkipSpace(newlines: true);
            }

            if (Peek() == '}')
            {
                _at++;
                return table;
            }

            if (_at >= _text.Length) throw Error("the '}' that ends the hashtable is missing");

            var key = Peek() switch
            {
                '\'' => ReadSingleQuoted(),
                '"' => ReadDoubleQuoted(),
                _ => ReadBareKey(),
            };
            SkipSpace(newlines: false);
            if (Peek() != '=') throw Error($"'=' expected after the key '{key}'");
            _at++;
            table[key] = ReadList();
            SkipSpace(newlines: false);
            var next = Peek();
            if (_at >= _text.Length) throw Error("the '}' that ends the hashtable is missing");
            if (next is not (';' or '\n' or '\r' or '}')) throw Error($"';', a new line or '}}' expected after the value of '{key}'");
        }
    }

    private List<object?> ReadArray()
    {
        _at += 2;
        var items = new List<object?>();
        while (true)
        {
            SkipSpace(newlines: true);
            if (Peek() == ')')
            {
                _at++;
                return items;
            }

            if (_at >= _text.Length) throw Error("the ')' that ends the array is missing");

            if (Peek() is ',' or ';')
            {
                _at++;
                continue;
            }

            items.Add(ReadValue());
        }
    }

    private string ReadBareKey()
    {
        var start = _at;
        while (_at < _text.Length && (char.IsAsciiLetterOrDigit(_text[_at]) || _text[_at] is '_' or '-')) _at++;
        if (_at == start) throw Error("a key is missing");
        return _text[start.._at];
    }

    private string ReadSingleQuoted()
    {
        var sb = new StringBuilder();
        _at++;
        while (true)
        {
            if (_at >= _text.Length) throw Error("unterminated string");
            var c = _text[_at++];
            if (c == '\'')
            {
                if (Peek() != '\'') return sb.ToString();
                _at++;
            }

            sb.Append(c);
        }
    }

    private string ReadDoubleQuoted()
    {
        var sb = new StringBuilder();
        _at++;
        while (true)
        {
            if (_at >= _text.Length) throw Error("unterminated string");
            var c = _text[_at++];
            if (c == '"')
            {
                if (Peek() != '"') return sb.ToString();
                _at++;
            }
            else if (c == '$')
            {
                throw Error("a data file cannot expand variables: use single quotes");
            }
            else if (c == '`' && _at < _text.Length)
            {
                c = _text[_at++] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', '0' => '\0', var other => other };
            }

            sb.Append(c);
        }
    }

    private object? ReadVariable()
    {
        var name = ReadBareKeyAfter(1);
        return name.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            "null" => null,
            _ => throw Error($"'${name}' is not allowed in a data file (only $true, $false and $null)"),
        };
    }

    private string ReadBareKeyAfter(int skip)
    {
        _at += skip;
        return ReadBareKey();
    }

    private long ReadNumber()
    {
        var start = _at;
        if (Peek() is '-' or '+') _at++;
        while (_at < _text.Length && char.IsAsciiDigit(_text[_at])) _at++;
        if (!long.TryParse(_text.AsSpan(start, _at - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"'{_text[start.._at]}' is not an integer");
        }

        return value;
    }

    private void SkipSpace(bool newlines)
    {
        while (_at < _text.Length)
        {
            var c = _text[_at];
            if (c == '#')
            {
                while (_at < _text.Length && _text[_at] != '\n') _at++;
            }
            else if (c == '<' && PeekAt(1) == '#')
            {
                var end = _text.IndexOf("#>", _at + 2, StringComparison.Ordinal);
                if (end < 0) throw Error("unterminated <# comment");
                _at = end + 2;
            }
            else if (c == '`' && PeekAt(1) is '\n' or '\r')
            {
                _at += 2;
            }
            else if (c is ' ' or '\t' || (newlines && c is '\n' or '\r'))
            {
                _at++;
            }
            else
            {
                return;
            }
        }
    }

    private char Peek() => _at < _text.Length ? _text[_at] : '\0';

    private char PeekAt(int offset) => _at + offset < _text.Length ? _text[_at + offset] : '\0';

    private FormatException Error(string reason)
    {
        var line = 1 + _text.AsSpan(0, Math.Min(_at, _text.Length)).Count('\n');
        return new FormatException($"line {line}: {reason}");
    }
}
