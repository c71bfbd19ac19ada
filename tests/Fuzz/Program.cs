using SharpFuzz;
using SocketDispatcher.Fuzz;

// AFL++ feeds one input per run through SharpFuzz; anything but a clean return or a
// SdMessageFormatException is a finding (see README.md).
Fuzzer.OutOfProcess.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    MessageProperties.Check(memory.ToArray());
});
