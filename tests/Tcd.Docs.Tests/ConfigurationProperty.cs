using System.Reflection;
using Tcd.Experiments.Glue;
using Tcd.MLNet.Estimators;
using Tcd.Models.Training;
using Tcd.Reports;

namespace Tcd.Docs.Tests;

/// <summary>
/// A public settable (or init) property of a configuration type: the settings whose documented defaults must be the code's.
/// </summary>
/// <remarks>
/// A configuration type is a public, concrete, non-generic class or record with a public parameterless constructor and
/// at least one public settable or init property: what a user writes as <c>new T { ... }</c>, whether it is named
/// <c>*Options</c> (<c>FineTuningOptions</c>) or not (<c>BertConfig</c>, <c>GlueSuiteGrid</c>, <c>PretrainingObjective</c>).
/// The parameterless constructor is what keeps results and progress reports out: the libraries build those through
/// their positional constructors (<c>FineTuningResult</c>, <c>LayerExpertSelection</c>), and the init properties they
/// add (<c>LastCheckpoint</c>, <c>Warning</c>) are what the library reports, not what a user sets. A type with only a
/// constructor taking arguments (<c>ResultsTable</c>) has no value that a bare <c>new T()</c> could give to compare.
/// </remarks>
/// <param name="Configuration">The configuration type; for an inherited property the derived type, whose own default is checked.</param>
/// <param name="Property">The property, declared by <paramref name="Configuration"/> or a base class.</param>
internal sealed record ConfigurationProperty(Type Configuration, PropertyInfo Property)
{
    /// <summary>The libraries whose configuration is checked, each named by one of its types; the configuration types themselves are found by reflection.</summary>
    public static readonly Assembly[] Libraries =
    [
        typeof(FineTuningOptions).Assembly,
        typeof(BertFineTuningOptions).Assembly,
        typeof(GlueSuiteOptions).Assembly,
        typeof(LossCurveOptions).Assembly,
    ];

    /// <summary>The property as the failure message names it, e.g. <c>DistillationOptions.ExpertCount</c>.</summary>
    public string Name => $"{Configuration.Name}.{Property.Name}";

    /// <summary>The settings of one library's configuration types, ordered by type and property name.</summary>
    public static IEnumerable<ConfigurationProperty> In(Assembly library) =>
        from configuration in library.GetExportedTypes()
        where configuration is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }
            && configuration.GetConstructor(Type.EmptyTypes) is not null
        from property in configuration.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        where property.GetSetMethod() is not null && property.GetIndexParameters().Length == 0
        orderby configuration.Name, property.Name
        select new ConfigurationProperty(configuration, property);

    /// <summary>The value of the property on a new instance of <see cref="Configuration"/>.</summary>
    public object? DefaultValue() => Property.GetValue(Activator.CreateInstance(Configuration));
}
