using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tcd.MLNet.Transformers;

/// <summary>
/// One column a Tcd transformer adds: its name, type and annotations, and how its value is computed from the model's
/// output row (one float array per input row, e.g. the features or the logits).
/// </summary>
internal sealed class OutputColumn
{
    private readonly Func<Func<float[]>, Delegate> makeGetter;

    private OutputColumn(string name, DataViewType type, DataViewSchema.Annotations? annotations, Func<Func<float[]>, Delegate> makeGetter)
    {
        Name = name;
        Type = type;
        Annotations = annotations;
        this.makeGetter = makeGetter;
    }

    public string Name { get; }

    public DataViewType Type { get; }

    public DataViewSchema.Annotations? Annotations { get; }

    /// <summary>A float vector column of <paramref name="size"/> values computed from the model output.</summary>
    public static OutputColumn Vector(string name, int size, Func<float[], float[]> select, DataViewSchema.Annotations? annotations = null) =>
        new(name, new VectorDataViewType(NumberDataViewType.Single, size), annotations, current => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var values = select(current());
            var editor = VBufferEditor.Create(ref value, values.Length);
            values.AsSpan().CopyTo(editor.Values);
            value = editor.Commit();
        }));

    /// <summary>A scalar column computed from the model output.</summary>
    public static OutputColumn Scalar<T>(string name, DataViewType type, Func<float[], T> select, DataViewSchema.Annotations? annotations = null) =>
        new(name, type, annotations, current => (ValueGetter<T>)((ref T value) => value = select(current())));

    /// <summary>A getter over the output row that <paramref name="current"/> returns at the time of each call.</summary>
    public ValueGetter<TValue> MakeGetter<TValue>(Func<float[]> current) =>
        makeGetter(current) as ValueGetter<TValue>
        ?? throw new InvalidOperationException($"Column '{Name}' has type {Type}; it cannot be read as {typeof(TValue).Name}.");

    /// <summary>The input schema followed by <paramref name="columns"/>, which hide input columns of the same name.</summary>
    public static DataViewSchema AppendTo(DataViewSchema input, IEnumerable<OutputColumn> columns)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var column in columns)
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        }

        return builder.ToSchema();
    }
}
