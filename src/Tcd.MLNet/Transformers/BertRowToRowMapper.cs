using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tcd.MLNet.Transformers;

/// <summary>
/// The single-row path of a Tcd transformer, used by <c>PredictionEngine</c>: one forward pass per distinct input text.
/// </summary>
internal sealed class BertRowToRowMapper : IRowToRowMapper
{
    private readonly BertTransformer transformer;

    public BertRowToRowMapper(BertTransformer transformer, DataViewSchema inputSchema)
    {
        this.transformer = transformer;
        InputSchema = inputSchema;
        OutputSchema = OutputColumn.AppendTo(inputSchema, transformer.OutputColumns);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var requested = dependingColumns.ToList();
        var needed = requested.Where(column => column.Index < InputSchema.Count).Select(column => InputSchema[column.Index]).ToList();
        if (requested.Any(column => column.Index >= InputSchema.Count))
        {
            needed.AddRange(transformer.TextColumns(InputSchema));
        }

        return needed.DistinctBy(column => column.Index).ToList();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(OutputSchema, transformer, input, activeColumns.Select(column => column.Index).ToHashSet());
}
