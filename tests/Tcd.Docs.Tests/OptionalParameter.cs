using System.Reflection;

namespace Tcd.Docs.Tests;

/// <summary>
/// An optional parameter of a public method or constructor, e.g. <c>learningRate = 1e-4</c> of the simple
/// <c>mlContext.Tcd()</c> overloads, whose documented default must be its default value.
/// </summary>
/// <param name="Parameter">The parameter; its <see cref="ParameterInfo.Member"/> is the method.</param>
internal sealed record OptionalParameter(ParameterInfo Parameter)
{
    /// <summary>Declared by the type itself, so an inherited method is checked once, where it is documented.</summary>
    private const BindingFlags PublicDeclared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>The parameter as the failure message names it, e.g. <c>TcdCatalog.PretrainTeacher(learningRate)</c>.</summary>
    public string Name => $"{Parameter.Member.DeclaringType!.Name}.{Parameter.Member.Name}({Parameter.Name})";

    /// <summary>The optional parameters of the public methods and constructors of one library's public types.</summary>
    public static IEnumerable<OptionalParameter> In(Assembly library) =>
        from type in library.GetExportedTypes()
        from method in type.GetMethods(PublicDeclared).Cast<MethodBase>().Concat(type.GetConstructors(PublicDeclared))
        from parameter in method.GetParameters()
        where parameter.HasDefaultValue
        orderby type.FullName, method.Name, parameter.Position
        select new OptionalParameter(parameter);
}
