using SocketDispatcher.Handoff;

namespace SocketDispatcher.Tests.Handoff;

/// <summary>ACCEPTED and CLOSED: one connection id or several (<c>id=4,5,6</c>).</summary>
public sealed class ConnectionListRecordTests
{
    public static TheoryData<long[]> Lists => new() { new[] { 4L }, new[] { 4L, 5L, 6L }, Enumerable.Range(1, 64).Select(i => (long)i * 1_000_003).ToArray() };

    [Theory]
    [MemberData(nameof(Lists))]
    public void AcceptedRecordReadsBackWhatItWrites(long[] numbers)
    {
        var ids = numbers.Select(ConnectionId.FromNumber).ToArray();
        var text = new AcceptedRecord(ids).Write();

        Assert.Equal("ACCEPTED id=" + string.Join(',', numbers), text);
        Assert.True(AcceptedRecord.TryRead(SdMessage.Parse(text), out var read, out var error), error);
        Assert.Equal(ids, read.Ids);
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public void ClosedRecordReadsBackWhatItWrites(long[] numbers)
    {
        var ids = numbers.Select(ConnectionId.FromNumber).ToArray();
        var text = new ClosedRecord(ids).Write();

        Assert.Equal("CLOSED id=" + string.Join(',', numbers), text);
        Assert.True(ClosedRecord.TryRead(SdMessage.Parse(text), out var read, out var error), error);
        Assert.Equal(ids, read.Ids);
    }

    [Theory]
    [InlineData("ACCEPTED", "ACCEPTED without 'id'")]
    [InlineData("ACCEPTED id=", "ACCEPTED: 'id' is not a list of connection ids: ''")]
    [InlineData("ACCEPTED id=4,,5", "ACCEPTED: 'id' is not a list of connection ids: '4,,5'")]
    [InlineData("ACCEPTED id=4,", "ACCEPTED: 'id' is not a list of connection ids: '4,'")]
    [InlineData("ACCEPTED id=4, 5", "ACCEPTED: 'id' is not a list of connection ids: '4, 5'")]
    [InlineData("ACCEPTED id=4,?", "ACCEPTED: 'id' is not a list of connection ids: '4,?'")]
    [InlineData("CLOSED id=4", "expected ACCEPTED, got 'CLOSED'")]
    public void MalformedAcceptedRecordIsRefusedWithItsReason(string text, string reason)
    {
        Assert.False(AcceptedRecord.TryRead(SdMessage.Parse(text), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("CLOSED", "CLOSED without 'id'")]
    [InlineData("CLOSED id=-1", "CLOSED: 'id' is not a list of connection ids: '-1'")]
    [InlineData("CLOSED id=a,b", "CLOSED: 'id' is not a list of connection ids: 'a,b'")]
    [InlineData("ACCEPTED id=4", "expected CLOSED, got 'ACCEPTED'")]
    public void MalformedClosedRecordIsRefusedWithItsReason(string text, string reason)
    {
        Assert.False(ClosedRecord.TryRead(SdMessage.Parse(text), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void AnEmptyListIsNeverWritten()
    {
        Assert.Throws<ArgumentException>(() => new ClosedRecord([]).Write());
        Assert.Throws<ArgumentException>(() => new AcceptedRecord([]).Write());
    }
}
