//! The safetensors file format (<https://github.com/huggingface/safetensors>), read strictly and
//! written as `safetensors.torch.save_file` writes it.
//!
//! Layout: an 8-byte little-endian header length N, N bytes of JSON header
//! `{"name": {"dtype", "shape", "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}`,
//! then the data section, which the tensors must cover exactly (no gaps, no overlaps, nothing after).
//!
//! Every malformed input is a specific error naming what is wrong; nothing here can panic on any
//! bytes (a panic would kill the wasm module and lose the user's model).

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::{Map, Value};

/// Headers above this size are refused before they are parsed (the reference reader's limit).
pub const MAX_HEADER_BYTES: u64 = 100_000_000;

/// Element types a file may declare. Weights may be F32, F16 or BF16; I64 appears as BatchNorm's
/// `num_batches_tracked`; the others are recognised so that the error can say "unsupported" rather
/// than "unknown".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    Bool,
    U8,
    I8,
    F8E5M2,
    F8E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}

impl Dtype {
    const ALL: [(Dtype, &'static str, usize); 15] = [
        (Dtype::Bool, "BOOL", 1),
        (Dtype::U8, "U8", 1),
        (Dtype::I8, "I8", 1),
        (Dtype::F8E5M2, "F8_E5M2", 1),
        (Dtype::F8E4M3, "F8_E4M3", 1),
        (Dtype::I16, "I16", 2),
        (Dtype::U16, "U16", 2),
        (Dtype::F16, "F16", 2),
        (Dtype::BF16, "BF16", 2),
        (Dtype::I32, "I32", 4),
        (Dtype::U32, "U32", 4),
        (Dtype::F32, "F32", 4),
        (Dtype::F64, "F64", 8),
        (Dtype::I64, "I64", 8),
        (Dtype::U64, "U64", 8),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(d, ..)| *d == self).map_or("?", |(_, n, _)| n)
    }

    pub fn size(self) -> usize {
        Self::ALL.iter().find(|(d, ..)| *d == self).map_or(1, |(.., s)| *s)
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n, _)| *n == name).map(|(d, ..)| *d)
    }
}

/// One tensor of a parsed file: where its bytes are, not a copy of them.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    /// Byte range within the whole file.
    range: Range<usize>,
}

impl TensorInfo {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parsed, fully validated safetensors file borrowing its bytes.
#[derive(Debug)]
pub struct SafeTensors<'a> {
    bytes: &'a [u8],
    /// Tensors in file order (by data offset).
    pub tensors: Vec<TensorInfo>,
    pub metadata: BTreeMap<String, String>,
}

/// A file's layout read from its first `8 + N` bytes alone: its tensors and metadata, checked
/// against the file's total length. The page checks a dropped file this way before reading it all.
#[derive(Debug)]
pub struct Header {
    /// Where the data section starts (8 + the header's length).
    pub data_start: usize,
    /// Tensors in file order (by data offset).
    pub tensors: Vec<TensorInfo>,
    pub metadata: BTreeMap<String, String>,
}

/// The header length N from a file's first 8 bytes, refused above [`MAX_HEADER_BYTES`] and when
/// the file is too short to hold it.
pub fn header_length(first: &[u8], file_len: u64) -> Result<u64, String> {
    let Some(length) = first.get(..8) else {
        return Err(format!("not a safetensors file: it has {file_len} bytes, fewer than the 8 of the header length"));
    };
    let header_len = u64::from_le_bytes(length.try_into().map_err(|_| "unreachable")?);
    if header_len > MAX_HEADER_BYTES {
        return Err(format!(
            "not a safetensors file: its header length field says {header_len} bytes (the limit is {MAX_HEADER_BYTES})"
        ));
    }
    let available = file_len.saturating_sub(8);
    if header_len > available {
        return Err(format!(
            "truncated file: the header should have {header_len} bytes but only {available} follow the length field"
        ));
    }
    Ok(header_len)
}

impl Header {
    /// Parses the header in `prefix` (the file's first bytes, at least 8 + N of them) of a file
    /// of `file_len` bytes; every tensor must lie inside the file and together they must cover
    /// the data section exactly.
    pub fn parse(prefix: &[u8], file_len: usize) -> Result<Self, String> {
        let header_len = header_length(prefix, file_len as u64)? as usize;
        let data_start = 8 + header_len;
        let Some(header) = prefix.get(8..data_start) else {
            return Err(format!(
                "only {} bytes of the {header_len}-byte header were given",
                prefix.len().saturating_sub(8)
            ));
        };
        if header.first() != Some(&b'{') {
            return Err("not a safetensors file: the header does not start with a JSON object".into());
        }
        let header = std::str::from_utf8(header).map_err(|e| format!("the header is not UTF-8 text: {e}"))?;
        let header: Map<String, Value> =
            serde_json::from_str(header).map_err(|e| format!("the header is not valid JSON: {e}"))?;

        let data_len = file_len - data_start;
        let mut metadata = BTreeMap::new();
        let mut tensors = Vec::new();
        for (name, entry) in header {
            if name == "__metadata__" {
                let Value::Object(map) = entry else { return Err("__metadata__ must be a JSON object".into()) };
                for (key, value) in map {
                    let Value::String(value) = value else {
                        return Err(format!("__metadata__ value of \"{key}\" must be a string"));
                    };
                    metadata.insert(key, value);
                }
                continue;
            }
            tensors.push(tensor_info(name, &entry, data_start, data_len)?);
        }

        tensors.sort_by_key(|t| (t.range.start, t.range.end));
        let mut covered = data_start;
        for (i, t) in tensors.iter().enumerate() {
            if t.range.start < covered {
                return Err(format!(
                    "tensors \"{}\" and \"{}\" overlap in the data section",
                    tensors[i - 1].name,
                    t.name
                ));
            }
            if t.range.start > covered {
                return Err(format!(
                    "bytes {}..{} of the data section belong to no tensor (before \"{}\")",
                    covered - data_start,
                    t.range.start - data_start,
                    t.name
                ));
            }
            covered = t.range.end;
        }
        if covered != file_len {
            return Err(format!(
                "{} bytes after the last tensor belong to no tensor (a corrupt or concatenated file?)",
                file_len - covered
            ));
        }
        Ok(Self { data_start, tensors, metadata })
    }
}

impl<'a> SafeTensors<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, String> {
        let Header { tensors, metadata, .. } = Header::parse(bytes, bytes.len())?;
        Ok(Self { bytes, tensors, metadata })
    }

    pub fn get(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// The raw little-endian bytes of a tensor.
    pub fn bytes_of(&self, tensor: &TensorInfo) -> &'a [u8] {
        &self.bytes[tensor.range.clone()]
    }

    /// A tensor as it would be written again, unchanged.
    pub fn copy_of(&self, tensor: &TensorInfo) -> TensorOut {
        TensorOut {
            name: tensor.name.clone(),
            dtype: tensor.dtype,
            shape: tensor.shape.clone(),
            bytes: self.bytes_of(tensor).to_vec(),
        }
    }

    /// A floating-point tensor's values as f32 (F32, F16 and BF16 are accepted).
    pub fn f32_values(&self, tensor: &TensorInfo) -> Result<Vec<f32>, String> {
        let bytes = self.bytes_of(tensor);
        let pairs = || bytes.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]]));
        Ok(match tensor.dtype {
            Dtype::F32 => bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
            Dtype::F16 => pairs().map(|bits| half::f16::from_bits(bits).to_f32()).collect(),
            Dtype::BF16 => pairs().map(|bits| half::bf16::from_bits(bits).to_f32()).collect(),
            other => {
                return Err(format!(
                    "tensor \"{}\" has dtype {}; weights must be F32, F16 or BF16",
                    tensor.name,
                    other.name()
                ));
            }
        })
    }

    /// The values of the tensor `name`, checked against the expected shape.
    pub fn f32_tensor(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let tensor = self.get(name).ok_or_else(|| format!("the file has no tensor \"{name}\""))?;
        if tensor.shape != shape {
            return Err(format!("tensor \"{name}\" has shape {:?}, expected {shape:?}", tensor.shape));
        }
        self.f32_values(tensor)
    }
}

fn tensor_info(name: String, entry: &Value, data_start: usize, data_len: usize) -> Result<TensorInfo, String> {
    let Value::Object(entry) = entry else { return Err(format!("tensor \"{name}\": its entry is not a JSON object")) };
    let dtype = match entry.get("dtype") {
        Some(Value::String(d)) => Dtype::parse(d).ok_or_else(|| format!("tensor \"{name}\": unknown dtype \"{d}\""))?,
        _ => return Err(format!("tensor \"{name}\": missing or non-string \"dtype\"")),
    };
    let as_usize = |v: &Value| v.as_u64().and_then(|v| usize::try_from(v).ok());
    let shape: Vec<usize> = match entry.get("shape") {
        Some(Value::Array(dims)) => dims
            .iter()
            .map(|d| as_usize(d).ok_or_else(|| format!("tensor \"{name}\": shape {dims:?} is not a list of sizes")))
            .collect::<Result<_, _>>()?,
        _ => return Err(format!("tensor \"{name}\": missing or invalid \"shape\"")),
    };
    let offsets: Vec<usize> = match entry.get("data_offsets") {
        Some(Value::Array(o)) if o.len() == 2 => o.iter().filter_map(as_usize).collect(),
        _ => Vec::new(),
    };
    let [begin, end] = offsets[..] else {
        return Err(format!("tensor \"{name}\": \"data_offsets\" must be two byte offsets [begin, end]"));
    };
    if end < begin {
        return Err(format!("tensor \"{name}\": data_offsets [{begin}, {end}] end before they begin"));
    }
    if end > data_len {
        return Err(format!(
            "tensor \"{name}\": data_offsets [{begin}, {end}] are out of range: the data section has {data_len} bytes (truncated file?)"
        ));
    }
    let needed = shape
        .iter()
        .try_fold(dtype.size(), |n, &d| n.checked_mul(d))
        .ok_or_else(|| format!("tensor \"{name}\": shape {shape:?} is absurdly large"))?;
    if needed != end - begin {
        return Err(format!(
            "tensor \"{name}\": shape {shape:?} of {} needs {needed} bytes but data_offsets [{begin}, {end}] hold {}",
            dtype.name(),
            end - begin
        ));
    }
    Ok(TensorInfo { name, dtype, shape, range: data_start + begin..data_start + end })
}

/// A tensor to write.
pub struct TensorOut {
    pub name: String,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    /// Little-endian bytes, `dtype.size()` per element.
    pub bytes: Vec<u8>,
}

impl TensorOut {
    /// An f32 tensor stored as F32, F16 or BF16 (rounded to nearest).
    pub fn from_f32(name: impl Into<String>, shape: Vec<usize>, values: &[f32], dtype: Dtype) -> Result<Self, String> {
        let bytes: Vec<u8> = match dtype {
            Dtype::F32 => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            Dtype::F16 => values.iter().flat_map(|v| half::f16::from_f32(*v).to_le_bytes()).collect(),
            Dtype::BF16 => values.iter().flat_map(|v| half::bf16::from_f32(*v).to_le_bytes()).collect(),
            other => return Err(format!("cannot store floats as {}", other.name())),
        };
        Ok(Self { name: name.into(), dtype, shape, bytes })
    }

    pub fn i64_scalar(name: impl Into<String>, value: i64) -> Self {
        Self { name: name.into(), dtype: Dtype::I64, shape: Vec::new(), bytes: value.to_le_bytes().to_vec() }
    }
}

/// Serialises tensors (in the given order) and metadata; the header is padded with spaces to a
/// multiple of 8 bytes so that the data section is aligned, as the reference writer does.
pub fn serialize(tensors: &[TensorOut], metadata: &BTreeMap<String, String>) -> Result<Vec<u8>, String> {
    let mut header = Map::new();
    if !metadata.is_empty() {
        let map = metadata.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        header.insert("__metadata__".into(), Value::Object(map));
    }
    let mut offset = 0usize;
    for t in tensors {
        let expected = t.shape.iter().product::<usize>() * t.dtype.size();
        if expected != t.bytes.len() {
            return Err(format!("tensor \"{}\": {} bytes for shape {:?}", t.name, t.bytes.len(), t.shape));
        }
        if header.contains_key(&t.name) {
            return Err(format!("tensor \"{}\" is written twice", t.name));
        }
        let entry = serde_json::json!({
            "dtype": t.dtype.name(),
            "shape": t.shape,
            "data_offsets": [offset, offset + t.bytes.len()],
        });
        header.insert(t.name.clone(), entry);
        offset += t.bytes.len();
    }
    let mut header = serde_json::to_vec(&Value::Object(header)).map_err(|e| e.to_string())?;
    header.resize(header.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + header.len() + offset);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    for t in tensors {
        out.extend_from_slice(&t.bytes);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    fn error(bytes: &[u8]) -> String {
        SafeTensors::parse(bytes).unwrap_err()
    }

    #[test]
    fn round_trip_with_every_float_dtype() {
        let values = [1.0f32, -2.5, 0.333, 1e-3];
        let tensors = [
            TensorOut::from_f32("a", vec![2, 2], &values, Dtype::F32).unwrap(),
            TensorOut::from_f32("b", vec![4], &values, Dtype::F16).unwrap(),
            TensorOut::from_f32("c", vec![4, 1], &values, Dtype::BF16).unwrap(),
            TensorOut::i64_scalar("n", 7),
        ];
        let meta = BTreeMap::from([("model".to_string(), "dcgan28".to_string())]);
        let bytes = serialize(&tensors, &meta).unwrap();
        let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap());
        assert_eq!(header_len % 8, 0);
        let file = SafeTensors::parse(&bytes).unwrap();
        assert_eq!(file.metadata, meta);
        assert_eq!(file.f32_tensor("a", &[2, 2]).unwrap(), values);
        let close = |got: Vec<f32>, tol: f32| got.iter().zip(values).all(|(g, v)| (g - v).abs() <= tol * v.abs());
        assert!(close(file.f32_tensor("b", &[4]).unwrap(), 1e-3));
        assert!(close(file.f32_tensor("c", &[4, 1]).unwrap(), 1e-2));
        let n = file.get("n").unwrap();
        assert_eq!((n.dtype, n.shape.len(), file.bytes_of(n)), (Dtype::I64, 0, &7i64.to_le_bytes()[..]));
        assert!(file.f32_values(n).unwrap_err().contains("has dtype I64"));
    }

    #[test]
    fn bad_files_give_specific_errors() {
        assert!(error(b"abc").contains("fewer than the 8"));
        assert!(error(&u64::MAX.to_le_bytes()).contains("header length field says"));
        assert!(error(&file("{}", b"")[..6]).contains("fewer than the 8"));
        let mut truncated = file(r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, &[0; 4]);
        truncated.truncate(20);
        assert!(error(&truncated).contains("truncated file"));
        assert!(error(&file("[1,2]", b"")).contains("does not start with a JSON object"));
        assert!(error(&file("{not json", b"")).contains("not valid JSON"));
        let one = |dtype: &str, shape: &str, offsets: &str, data: &[u8]| {
            error(&file(&format!(r#"{{"w":{{"dtype":"{dtype}","shape":{shape},"data_offsets":{offsets}}}}}"#), data))
        };
        assert!(one("Q7", "[1]", "[0,4]", &[0; 4]).contains("unknown dtype \"Q7\""));
        assert!(one("F32", "[1]", "[0,8]", &[0; 4]).contains("out of range"));
        assert!(one("F32", "[2]", "[0,4]", &[0; 4]).contains("needs 8 bytes"));
        assert!(one("F32", "[-1]", "[0,4]", &[0; 4]).contains("not a list of sizes"));
        assert!(one("F32", "[1]", "[4,0]", &[0; 4]).contains("end before they begin"));
        assert!(one("F32", "[1]", "[0]", &[0; 4]).contains("two byte offsets"));
        assert!(one("F32", "[4294967296,4294967296,4294967296]", "[0,4]", &[0; 4]).contains("absurdly large"));
        assert!(one("F32", "[1]", "[0,4]", &[0; 8]).contains("4 bytes after the last tensor"));
        let two = |a: &str, b: &str, data: &[u8]| {
            error(&file(
                &format!(
                    r#"{{"a":{{"dtype":"F32","shape":[1],"data_offsets":{a}}},"b":{{"dtype":"F32","shape":[1],"data_offsets":{b}}}}}"#
                ),
                data,
            ))
        };
        assert!(two("[0,4]", "[2,6]", &[0; 6]).contains("overlap"));
        assert!(two("[0,4]", "[8,12]", &[0; 12]).contains("belong to no tensor"));
        assert!(error(&file(r#"{"__metadata__":{"a":1}}"#, b"")).contains("must be a string"));
    }

    #[test]
    fn no_bytes_panic() {
        // Deterministic mutations of a valid file: every one must parse or fail, never panic.
        let base = serialize(
            &[
                TensorOut::from_f32("main.0.weight", vec![2, 3], &[0.5; 6], Dtype::F32).unwrap(),
                TensorOut::from_f32("main.1.bias", vec![3], &[1.0; 3], Dtype::F16).unwrap(),
            ],
            &BTreeMap::from([("variant".to_string(), "wgan".to_string())]),
        )
        .unwrap();
        let mut rng = crate::rng::Rng::new(3);
        for i in 0..20_000 {
            let mut bytes = base.clone();
            let r = rng.next_u64();
            match i % 4 {
                0 => bytes.truncate(r as usize % (base.len() + 1)),
                1 => {
                    let at = r as usize % bytes.len();
                    bytes[at] = (r >> 32) as u8;
                }
                2 => {
                    let at = 8 + r as usize % (bytes.len() - 8);
                    bytes[at] = b"{}[]\",:0123456789-e"[(r >> 40) as usize % 19];
                }
                _ => bytes = (0..r % 64).map(|_| rng.next_u64() as u8).collect(),
            }
            if let Ok(file) = SafeTensors::parse(&bytes) {
                for t in &file.tensors {
                    let _ = file.f32_values(t);
                }
            }
        }
    }
}
