using SocketDispatcher.Tests.Handlers;

namespace SocketDispatcher.Tests.Definitions;

public sealed class MessageDefinitionTests : IDisposable
{
    private const string FireJson = """
        { "command": "FIRE",
          "parameters": [
            { "name": "length", "presence": "required", "type": "integer" },
            { "name": "name", "allowEmpty": false },
            { "name": "valid", "type": "boolean" },
            { "name": "at", "type": "address" },
            { "name": "delay", "type": "timespan" },
            { "name": "secret", "presence": "forbidden" } ] }
        """;

    private const string DadPsd1 = """
        # The seed conversation's DAD, with a strict parameter set.
        @{
            Command = 'DAD'
            Parameters = @(
                @{ Name = 'age'; Presence = 'Required'; Type = 'Integer' }
                @{ Name = "mood" }   <# any text #>
            )
            OtherParameters = $false
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("sd-definitions-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SdMessageDefinitions LoadFireAndDad()
    {
        File.WriteAllText(Path.Combine(_folder, "FIRE.json"), FireJson);
        File.WriteAllText(Path.Combine(_folder, "DAD.psd1"), DadPsd1);
        return SdMessageDefinitions.Load([_folder]);
    }

    [Fact]
    public void AMessageThatKeepsTheRulesPasses()
    {
        var definitions = LoadFireAndDad();
        Assert.Null(definitions.Check(SdMessage.Parse("FIRE length=-35;name=Charles;valid=true;at=127.0.0.1:4040;delay=1.5;extra=1")));
        Assert.Null(definitions.Check(SdMessage.Parse("DAD age=+40;mood=fine")));
        Assert.Null(definitions.Check(SdMessage.Parse("UNDEFINED anything=1")));
    }

    [Theory]
    [InlineData("FIRE name=Charles", "FIRE breaks rule 'length: required' of {0}/FIRE.json: parameter 'length' is missing")]
    [InlineData("FIRE length=x", "FIRE breaks rule 'length: integer' of {0}/FIRE.json: length='x' is not an integer such as -35 or +101")]
    [InlineData("FIRE length=1;name=", "FIRE breaks rule 'name: not empty' of {0}/FIRE.json: parameter 'name' is empty")]
    [InlineData("FIRE length=1;valid=maybe", "FIRE breaks rule 'valid: boolean' of {0}/FIRE.json: valid='maybe' is not a boolean: true/false, yes/no, on/off or 1/0")]
    [InlineData("FIRE length=1;at=somewhere", "FIRE breaks rule 'at: address' of {0}/FIRE.json: at='somewhere' is not an address such as 127.0.0.1:4040 or [::1]:4040")]
    [InlineData("FIRE length=1;delay=soon", "FIRE breaks rule 'delay: timespan' of {0}/FIRE.json: delay='soon' is not a time span: seconds such as 1.5, or 250ms, 10s, 5m, 1h")]
    [InlineData("FIRE length=1;secret=s", "FIRE breaks rule 'secret: forbidden' of {0}/FIRE.json: parameter 'secret' must not be given")]
    [InlineData("DAD age=1;extra=2", "DAD breaks rule 'no other parameters' of {0}/DAD.psd1: parameter 'extra' is not defined")]
    [InlineData("DAD age=", "DAD breaks rule 'age: not empty' of {0}/DAD.psd1: parameter 'age' is empty")]
    public void ABrokenRuleIsNamedWithItsFile(string line, string expected)
    {
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, _folder), LoadFireAndDad().Check(SdMessage.Parse(line)));
    }

    [Fact]
    public async Task TheRouterAnswersAViolationInvalidAndTheHandlerNeverSeesIt()
    {
        var seen = 0;
        var router = new SdMessageRouter { Definitions = LoadFireAndDad() }
            .Map("FIRE", (s, m, ct) => { seen++; return s.SendAsync(m.Reply("FIRED"), ct); })
            .ObserveAll((_, _, _) => { seen++; return ValueTask.CompletedTask; }, priority: 1);
        var session = new RecordingSession();
        await router.DispatchAsync(session, SdMessage.Parse("FIRE name=Charles")).Within();
        await router.DispatchAsync(session, SdMessage.Parse("FIRE length=-35")).Within();
        Assert.Equal(2, seen);
        var sent = session.SentLines();
        Assert.Equal($"INVALID command=FIRE;message=FIRE breaks rule 'length: required' of {_folder}/FIRE.json: parameter 'length' is missing", sent[0]);
        Assert.Equal("FIRED", sent[1]);
    }

    [Fact]
    public void TheFirstDirectoryOnTheSearchPathWins()
    {
        var first = Directory.CreateDirectory(Path.Combine(_folder, "first")).FullName;
        var second = Directory.CreateDirectory(Path.Combine(_folder, "second")).FullName;
        File.WriteAllText(Path.Combine(first, "HELP.json"), """{ "command": "HELP", "parameters": [ { "name": "topic" } ] }""");
        File.WriteAllText(Path.Combine(second, "HELP.json"), """{ "command": "HELP", "otherParameters": false }""");
        var definitions = SdMessageDefinitions.Load($"{first}:{second}");
        Assert.Null(definitions.Check(SdMessage.Parse("HELP topic=x")));
        Assert.Equal(Path.Combine(first, "HELP.json"), definitions.Find("HELP")!.Source);
        Assert.NotNull(definitions.Find("ALIVE"));
    }

    [Fact]
    public void EveryBuiltInCommandHasADefinition()
    {
        var builtIn = SdMessageDefinitions.BuiltIn;
        foreach (var command in new[] { "ABSOLUTELY", "ALIVE", "COMMANDS", "HELP", "INVALID", "LOG", "LOG_ROTATE", "QUIT", "READY", "RESTART", "STATUS", "STOP", "UNKNOWN" })
        {
            Assert.NotNull(builtIn.Find(command));
        }

        Assert.Equal("built-in:HELP.json", builtIn.Find("HELP")!.Source);
        Assert.Null(builtIn.Check(SdMessage.Parse("ALIVE serial=1;timestamp=1700000000.5")));
        Assert.Equal("HELP breaks rule 'no other parameters' of built-in:HELP.json: parameter 'x' is not defined", builtIn.Check(SdMessage.Parse("HELP x=1")));
    }

    [Fact]
    public async Task TheAnswersTheRouterWritesKeepTheBuiltInDefinitions()
    {
        var builtIn = SdMessageDefinitions.BuiltIn;
        var router = new SdMessageRouter();
        var session = new RecordingSession();
        await router.DispatchAsync(session, SdMessage.Parse("ALIVE serial=3;timestamp=1700000000.000000001")).Within();
        await router.DispatchAsync(session, SdMessage.Parse("HELP")).Within();
        await router.DispatchAsync(session, SdMessage.Parse("JUMP")).Within();
        foreach (var answer in session.Sent) Assert.Null(builtIn.Check(answer));
    }

    [Theory]
    [InlineData("BAD.json", "{ \"command\": \"FIRE\", \"parameters\": [ { \"name\": \"x\", \"type\": \"float\" } ] }", "parameter 'x': type 'float' is not one of string, integer, boolean, address, timespan")]
    [InlineData("BAD.json", "{ \"parameters\": [] }", "'command' (text) is missing")]
    [InlineData("BAD.json", "{ \"command\": \"FIRE\", \"colour\": 1 }", "the definition has an unknown key 'colour'")]
    [InlineData("BAD.json", "{ \"command\": \"FIRE\", ", "")]
    [InlineData("BAD.psd1", "@{ Command = 'FIRE'; Parameters = @( @{ Name = $name } ) }", "line 1: '$name' is not allowed in a data file")]
    [InlineData("BAD.psd1", "@{ Command = 'FIRE'\n Parameters = @( @{ Name = 'a'; Presence = 'sometimes' } ) }", "parameter 'a': presence 'sometimes' is not one of optional, required, forbidden")]
    [InlineData("BAD.psd1", "@{ Command = 'FIRE'\n Parameters = @( @{ Name = 'a' }, @{ Name = 'a' } ) }", "parameter 'a' has two rules")]
    public void ABadFileFailsTheLoadWithOneLineNamingTheFileAndTheProblem(string file, string text, string reason)
    {
        var path = Path.Combine(_folder, file);
        File.WriteAllText(path, text);
        var ex = Assert.Throws<SdException>(() => SdMessageDefinitions.Load([_folder]));
        Assert.Equal("DefinitionInvalid", ex.Reason);
        Assert.StartsWith($"the message definition '{path}' is not valid: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void AMissingDirectoryIsNamed()
    {
        var ex = Assert.Throws<SdException>(() => SdMessageDefinitions.Load([Path.Combine(_folder, "none")]));
        Assert.Equal("DefinitionPathNotFound", ex.Reason);
        Assert.Contains("none", ex.Message, StringComparison.Ordinal);
    }
}
