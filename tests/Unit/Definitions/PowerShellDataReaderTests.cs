using SocketDispatcher.Definitions;

namespace SocketDispatcher.Tests.Definitions;

public sealed class PowerShellDataReaderTests
{
    [Fact]
    public void ReadsHashtablesArraysStringsNumbersAndBooleans()
    {
        var data = (Dictionary<string, object?>)PowerShellDataReader.Read("""
            <# a block
               comment #>
            @{
                Name = 'it''s'   # a line comment
                "Quoted Key" = "tab`there"
                Count = -42; Flag = $true; None = $null
                List = 'a', 'b'
                Array = @(1
                    2, 3)
                Empty = @{}
            }
            """)!;
        Assert.Equal("it's", data["name"]);
        Assert.Equal("tab\there", data["Quoted Key"]);
        Assert.Equal(-42L, data["COUNT"]);
        Assert.Equal(true, data["Flag"]);
        Assert.Null(data["None"]);
        Assert.Equal(new object?[] { "a", "b" }, (List<object?>)data["List"]!);
        Assert.Equal(new object?[] { 1L, 2L, 3L }, (List<object?>)data["Array"]!);
        Assert.Empty((Dictionary<string, object?>)data["Empty"]!);
    }

    [Theory]
    [InlineData("@{ A = 'x' ", "line 1: the '}' that ends the hashtable is missing")]
    [InlineData("@{ A = @(1, 2 }", "line 1: '}' cannot start a value (use quotes around text)")]
    [InlineData("@{ A = @(1, 2", "line 1: the ')' that ends the array is missing")]
    [InlineData("@{ A = \"$env:HOME\" }", "line 1: a data file cannot expand variables: use single quotes")]
    [InlineData("@{\nA = Get-Date }", "line 2: 'G' cannot start a value (use quotes around text)")]
    [InlineData("@{ A = 'x' } extra", "line 1: unexpected text after the value")]
    [InlineData("@{ A 'x' }", "line 1: '=' expected after the key 'A'")]
    public void RefusesWhatIsNotDataWithTheLine(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => PowerShellDataReader.Read(text)).Message);
    }
}
