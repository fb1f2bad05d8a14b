using System.Reflection;

namespace Tcd.Docs.Tests;

/// <summary>
/// A public settable (or init) property of a public <c>*Options</c> class that users create with <c>new</c>: the
/// settings whose documented defaults must be the code's.
/// </summary>
/// <param name="Options">The options class; for an inherited property the derived class, whose own default is checked.</param>
/// <param name="Property">The property, declared by <paramref name="Options"/> or a base class.</param>
internal sealed record OptionsProperty(Type Options, PropertyInfo Property)
{
    /// <summary>The property as the failure message names it, e.g. <c>DistillationOptions.ExpertCount</c>.</summary>
    public string Name => $"{Options.Name}.{Property.Name}";

    /// <summary>The options properties of one library, ordered by class and property name.</summary>
    public static IEnumerable<OptionsProperty> In(Assembly library) =>
        from options in library.GetExportedTypes()
        where options.Name.EndsWith("Options", StringComparison.Ordinal)
            && options is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }
            && options.GetConstructor(Type.EmptyTypes) is not null
        from property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        where property.GetSetMethod() is not null && property.GetIndexParameters().Length == 0
        orderby options.Name, property.Name
        select new OptionsProperty(options, property);

    /// <summary>The value of the property on a new instance of <see cref="Options"/>.</summary>
    public object? DefaultValue() => Property.GetValue(Activator.CreateInstance(Options));
}
