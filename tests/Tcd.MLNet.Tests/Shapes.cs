using System.Reflection;
using Microsoft.ML;

namespace Tcd.MLNet.Tests;

/// <summary>ML.NET's <c>SchemaShape.Create</c> is internal (estimator chains call it); tests reach it by reflection.</summary>
internal static class Shapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)])!;

    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;
}
