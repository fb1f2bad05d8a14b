using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;

namespace Tcd.Models.Tests.Runtime;

/// <summary>
/// The TorchSharp methods that make a <see cref="Scalar"/> inside and pass it on without holding it (<c>add(Tensor)</c>
/// passes an alpha of 1, <c>square()</c> an exponent of 2, <c>t * 0.5</c> converts its number), found in TorchSharp's
/// own IL: a method that calls something returning a <see cref="Scalar"/> and never disposes one nor keeps one alive,
/// and every TorchSharp method that calls such a method. Calling any of them can fail at random (see
/// <c>Tcd.Models.Runtime.TorchScalars</c>).
/// </summary>
internal static class UnheldScalarMethods
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    private static readonly Lazy<IReadOnlySet<int>> TokensOfTorchSharp = new(() => Find(typeof(Scalar).Assembly));

    /// <summary>The metadata tokens of TorchSharp's methods that leave a scalar unheld (generic methods by their definition).</summary>
    public static IReadOnlySet<int> InTorchSharp => TokensOfTorchSharp.Value;

    /// <summary>The metadata tokens of <paramref name="assembly"/>'s methods that leave a scalar unheld.</summary>
    public static IReadOnlySet<int> Find(Assembly assembly)
    {
        var callees = assembly.GetTypes()
            .SelectMany(type => type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            .ToDictionary(method => method, Callees);
        var unheld = callees.Where(entry => !ReturnsScalar(entry.Key) && entry.Value.Any(ReturnsScalar) && !entry.Value.Any(HoldsAScalar))
            .Select(entry => entry.Key)
            .ToHashSet();
        for (var grew = true; grew;)
        {
            var callers = callees.Where(entry => !unheld.Contains(entry.Key) && !ReturnsScalar(entry.Key)
                    && entry.Value.Any(callee => unheld.Contains(Definition(callee))))
                .Select(entry => entry.Key)
                .ToList();
            unheld.UnionWith(callers);
            grew = callers.Count > 0;
        }

        return unheld.Select(method => method.MetadataToken).ToHashSet();
    }

    private static bool ReturnsScalar(MethodBase method) => method is MethodInfo { ReturnType: var type } && type == typeof(Scalar);

    private static bool HoldsAScalar(MethodBase method) =>
        (method.Name == nameof(IDisposable.Dispose) && (method.DeclaringType == typeof(Scalar) || method.DeclaringType == typeof(IDisposable)))
        || (method.Name == nameof(GC.KeepAlive) && method.DeclaringType == typeof(GC));

    private static MethodBase Definition(MethodBase method) =>
        method is MethodInfo { IsGenericMethod: true, IsGenericMethodDefinition: false } generic ? generic.GetGenericMethodDefinition() : method;

    /// <summary>The methods <paramref name="method"/>'s IL calls or constructs with (not those it only takes the address of).</summary>
    private static List<MethodBase> Callees(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var callees = new List<MethodBase>();
        for (var offset = 0; offset < il.Length;)
        {
            var code = OpCodesByValue[il[offset] == 0xFE ? (short)(0xFE00 | il[offset + 1]) : il[offset]];
            offset += code.Size;
            if (code == OpCodes.Call || code == OpCodes.Callvirt || code == OpCodes.Newobj)
            {
                callees.Add(method.Module.ResolveMethod(BitConverter.ToInt32(il, offset), typeArguments, methodArguments)!);
            }

            offset += code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, offset)),
                _ => 4,
            };
        }

        return callees;
    }
}
