using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tcd.MLNet;

/// <summary>Input-schema checks whose errors name the column, its actual type and the expected type.</summary>
internal static class SchemaChecks
{
    private const string ParameterName = "inputSchema";

    /// <summary>Throws unless <paramref name="schema"/> has a scalar text column <paramref name="columnName"/>.</summary>
    public static void RequireText(DataViewSchema schema, string columnName, string role)
    {
        var column = Require(schema, columnName, role, "String (text)");
        if (column.Type is not TextDataViewType)
        {
            throw Mistyped(columnName, role, column.Type.ToString() ?? string.Empty, "String (text)");
        }
    }

    /// <summary>Throws unless <paramref name="schema"/> has a scalar text column <paramref name="columnName"/>.</summary>
    public static void RequireText(SchemaShape schema, string columnName, string role)
    {
        var column = Require(schema, columnName, role, "String (text)");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType || column.IsKey)
        {
            throw Mistyped(columnName, role, Describe(column), "String (text)");
        }
    }

    public static DataViewSchema.Column Require(DataViewSchema schema, string columnName, string role, string expected) =>
        schema.GetColumnOrNull(columnName) ?? throw Missing(columnName, role, expected, schema.Where(c => !c.IsHidden).Select(c => c.Name));

    public static SchemaShape.Column Require(SchemaShape schema, string columnName, string role, string expected) =>
        SchemaShapes.Find(schema, columnName) ?? throw Missing(columnName, role, expected, schema.Select(c => c.Name));

    public static ArgumentOutOfRangeException Mistyped(string columnName, string role, string actual, string expected) =>
        new(ParameterName, $"Column '{columnName}' ({role}) has type {actual}, but {expected} is expected.");

    public static string Describe(SchemaShape.Column column) =>
        (column.IsKey ? "Key<" + column.ItemType + ">" : column.ItemType.ToString()) + (column.Kind == SchemaShape.Column.VectorKind.Scalar ? string.Empty : " vector");

    private static ArgumentOutOfRangeException Missing(string columnName, string role, string expected, IEnumerable<string> present) =>
        new(ParameterName, $"The input has no column '{columnName}' ({role}, {expected} expected). Columns present: {string.Join(", ", present.Select(n => $"'{n}'"))}.");
}
