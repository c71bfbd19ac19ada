using System.Collections;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Turns endpoint text (<c>tcp://127.0.0.1:3001</c>, <c>unix:/run/sd/x.sock</c>...) into
/// <see cref="SdEndpoint"/> objects with <see cref="SdEndpoint.Parse"/>, for every endpoint
/// parameter, so that a bad endpoint is a parameter-binding error with Core's one-line message.
/// <see cref="SdEndpoint"/> objects pass through; an array is transformed item by item.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SdEndpointTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Transforms one value or a list of values.</summary>
    /// <param name="engineIntrinsics">Unused.</param>
    /// <param name="inputData">A string, an <see cref="SdEndpoint"/>, or a list of them.</param>
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        inputData = Unwrap(inputData);
        if (inputData is IList list)
        {
            var endpoints = new SdEndpoint[list.Count];
            for (var i = 0; i < list.Count; i++) endpoints[i] = ToEndpoint(Unwrap(list[i]));
            return endpoints;
        }

        return inputData is null ? null : ToEndpoint(inputData);
    }

    private static SdEndpoint ToEndpoint(object? value)
    {
        switch (value)
        {
            case SdEndpoint endpoint:
                return endpoint;
            case string text:
                try
                {
                    return SdEndpoint.Parse(text);
                }
                catch (SdException ex)
                {
                    throw new ArgumentTransformationMetadataException(ex.Message, ex);
                }
                catch (FormatException ex)
                {
                    // Until SdEndpoint.Parse reports every bad form as SdException.
                    throw new ArgumentTransformationMetadataException($"'{text}' is not an endpoint: {ex.Message}", ex);
                }
            default:
                throw new ArgumentTransformationMetadataException(
                    $"'{value}' is not an endpoint; write it like tcp://127.0.0.1:3001, tls://localhost:3001 or unix:/path/to.sock");
        }
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
