using System.Collections;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Checks a <c>-Handler</c> argument at binding: a built-in handler name (<see cref="SdHandlers.Names"/>)
/// or a hashtable of command to scriptblock; anything else is a ParameterArgumentValidationError.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateHandlerAttribute : ValidateArgumentsAttribute
{
    /// <summary>Throws when <paramref name="arguments"/> is neither a built-in name nor a hashtable.</summary>
    /// <exception cref="ValidationMetadataException">The argument is not a handler.</exception>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        switch (value)
        {
            case IDictionary:
                return;
            case string name when SdHandlers.Names.Contains(name):
                return;
            case string name:
                throw new ValidationMetadataException($"'{name}' is not a built-in handler ({string.Join(", ", SdHandlers.Names)}); give a hashtable of command to scriptblock, or -HandlerFile for a .ps1 file");
            default:
                throw new ValidationMetadataException($"-Handler takes a built-in handler name or a hashtable of command to scriptblock, not a {value?.GetType().Name ?? "null"}");
        }
    }
}
