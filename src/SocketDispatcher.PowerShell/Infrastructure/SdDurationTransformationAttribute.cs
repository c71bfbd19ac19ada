using System.Globalization;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Lets a <see cref="TimeSpan"/> parameter take what <c>sd</c> takes: <c>250ms</c>, <c>10s</c>,
/// <c>5m</c>, <c>1h</c>, or a bare number of seconds (<c>-Timeout 5</c> is five seconds, not five
/// ticks), as well as a TimeSpan or its text (<c>00:00:05</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SdDurationTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Transforms one value.</summary>
    /// <param name="engineIntrinsics">Unused.</param>
    /// <param name="inputData">A TimeSpan, a number of seconds or a duration text.</param>
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (inputData is PSObject wrapped) inputData = wrapped.BaseObject;
        switch (inputData)
        {
            case null:
            case TimeSpan:
                return inputData;
            // PowerShell reads 5s as a short (type suffix), 5u as uint, 5l as long: all seconds here.
            case byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal:
                return TimeSpan.FromSeconds(Convert.ToDouble(inputData, CultureInfo.InvariantCulture));
            case string text:
                try
                {
                    return SdDuration.Parse(text);
                }
                catch (SdException ex)
                {
                    if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)) return span;
                    throw new ArgumentTransformationMetadataException(ex.Message, ex);
                }
            default:
                throw new ArgumentTransformationMetadataException($"'{inputData}' is not a duration; write it like 250ms, 10s, 5m or 1h");
        }
    }
}
