using System.Buffers.Binary;
using System.Text;
using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

/// <summary>
/// The safetensors reader and writer on every dtype they support, and the messages of the files they refuse: Hugging
/// Face checkpoints come from other tools, so a damaged or unusual file must say what is wrong with it.
/// </summary>
public sealed class SafeTensorsFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tcd-safetensors-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Every_supported_dtype_round_trips_with_its_values_and_code()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(new[] { 1.5f, -2.25f }),
            ["f16"] = tensor(new[] { 0.5f, 3f }).to(ScalarType.Float16),
            ["bf16"] = tensor(new[] { 0.5f, -4f }).to(ScalarType.BFloat16),
            ["f64"] = tensor(new[] { Math.PI, -1e-300 }),
            ["i64"] = tensor(new[] { long.MaxValue, -1L }),
            ["i32"] = tensor(new[] { int.MinValue, 7 }),
            ["i16"] = tensor(new short[] { short.MaxValue, -3 }),
            ["i8"] = tensor(new sbyte[] { sbyte.MinValue, 5 }),
            ["u8"] = tensor(new byte[] { 255, 0 }),
            ["bool"] = tensor(new[] { true, false }),
        };
        var path = Path.Combine(folder, "all-dtypes.safetensors");

        SafeTensorsFile.Write(path, tensors);
        var read = SafeTensorsFile.Read(path);

        read.Keys.Should().BeEquivalentTo(tensors.Keys);
        foreach (var (name, written) in tensors)
        {
            read[name].dtype.Should().Be(written.dtype, name);
            read[name].eq(written).all().item<bool>().Should().BeTrue(name);
        }

        SafeTensorsFile.ReadHeader(path).ToDictionary(entry => entry.Name, entry => entry.DType).Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["f32"] = "F32", ["f16"] = "F16", ["bf16"] = "BF16", ["f64"] = "F64", ["i64"] = "I64",
            ["i32"] = "I32", ["i16"] = "I16", ["i8"] = "I8", ["u8"] = "U8", ["bool"] = "BOOL",
        });
    }

    [Fact]
    public void A_dtype_safetensors_cannot_store_is_refused_naming_the_tensor()
    {
        using var scope = NewDisposeScope();
        var complex = new Dictionary<string, Tensor> { ["phase"] = zeros(2, dtype: ScalarType.ComplexFloat32) };

        FluentActions.Invoking(() => SafeTensorsFile.Write(Path.Combine(folder, "complex.safetensors"), complex))
            .Should().Throw<NotSupportedException>().WithMessage("Tensor 'phase' has dtype ComplexFloat32, which safetensors cannot store here.");
    }

    [Theory]
    [InlineData("""{"w": {"dtype": "U16", "shape": [2], "data_offsets": [0, 4]}}""", 4, "tensor 'w' has unsupported dtype 'U16' (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", 8, "tensor 'w' has data offsets [0, 8) that do not match its shape [3] and dtype F32")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}""", 8, "tensor 'w' needs a non-negative shape and two data_offsets")]
    [InlineData("""{"w": {"dtype": "F32", "shape": ["two"], "data_offsets": [0, 8]}}""", 8, "tensor 'w' has a malformed header entry (")]
    [InlineData("""{"w": {"dtype": "F32", "data_offsets": [0, 8]}}""", 8, "tensor 'w' has no shape")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", 4, "it is truncated: tensor 'w' ends at byte 8 of the data section but the file holds only 4 data bytes")]
    [InlineData("""{"w": """, 0, "the header is not valid JSON (")]
    public void A_corrupt_header_is_named_with_what_is_wrong(string header, int dataBytes, string reason)
    {
        var path = Path.Combine(folder, "corrupt.safetensors");
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + headerBytes.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        File.WriteAllBytes(path, file);

        FluentActions.Invoking(() => SafeTensorsFile.Read(path)).Should().Throw<InvalidDataException>()
            .Which.Message.Should().StartWith($"The weights file '{path}' is truncated or corrupt: {reason}")
            .And.EndWith(". Save the model again or re-download the file.");
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(folder, "missing.safetensors");

        FluentActions.Invoking(() => SafeTensorsFile.ReadHeader(path)).Should().Throw<FileNotFoundException>()
            .WithMessage($"The weights file '{path}' does not exist.");
    }
}
