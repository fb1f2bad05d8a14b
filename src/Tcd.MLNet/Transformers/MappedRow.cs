using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tcd.MLNet.Transformers;

/// <summary>
/// One input row with the transformer's columns added. The model runs when an output getter is called, once per
/// distinct input text (so reading Score, Probability and PredictedLabel of one row costs one forward pass).
/// </summary>
internal sealed class MappedRow : DataViewRow
{
    private readonly BertTransformer transformer;
    private readonly DataViewRow input;
    private readonly HashSet<int> active;
    private readonly Lazy<TextRowReader> texts;
    private TextRow? cachedInput;
    private float[] cachedOutput = [];

    public MappedRow(DataViewSchema schema, BertTransformer transformer, DataViewRow input, HashSet<int> active)
    {
        Schema = schema;
        this.transformer = transformer;
        this.input = input;
        this.active = active;
        texts = new Lazy<TextRowReader>(() => new TextRowReader(input, transformer.TextColumnName, transformer.PairColumnName));
    }

    public override DataViewSchema Schema { get; }

    public override long Position => input.Position;

    public override long Batch => input.Batch;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
        column.Index < input.Schema.Count
            ? input.GetGetter<TValue>(input.Schema[column.Index])
            : transformer.OutputColumns[column.Index - input.Schema.Count].MakeGetter<TValue>(Current);

    public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

    private float[] Current()
    {
        var row = texts.Value.Read();
        if (cachedInput != row)
        {
            cachedOutput = transformer.Predict([row])[0];
            cachedInput = row;
        }

        return cachedOutput;
    }
}
