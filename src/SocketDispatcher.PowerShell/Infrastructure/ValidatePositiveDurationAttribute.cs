using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>Checks that a <see cref="TimeSpan"/> parameter is longer than zero.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidatePositiveDurationAttribute : ValidateArgumentsAttribute
{
    /// <summary>Throws when the value is not a positive TimeSpan.</summary>
    /// <param name="arguments">The bound value.</param>
    /// <param name="engineIntrinsics">Unused.</param>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is PSObject wrapped) arguments = wrapped.BaseObject;
        if (arguments is not TimeSpan { Ticks: > 0 })
        {
            throw new ValidationMetadataException($"the duration must be longer than zero, not '{arguments}'");
        }
    }
}
